// SHAP over the words the user typed: KernelSHAP (Lundberg & Lee 2017) as slundberg/shap's
// KernelExplainer computes it, on the removal game v(S) = p(target | the text with only the
// words in S) (words removed as LIME and occlusion remove them, perturb.ts `textWithWords`):
// - coalition sizes s = 1 … ⌈(n−1)/2⌉, each paired with its complement size n − s (antithetic:
//   every coalition drawn is evaluated with its complement), weighted by the Shapley kernel:
//   size s (with n − s) carries (n−1)/(s(n−s)), twice for a paired size, normalised;
// - sizes whose every coalition fits in what is left of the samples (samples left × the size's
//   share of the remaining weight ≥ its number of coalitions) are enumerated, smallest first,
//   each coalition with the kernel weight (n−1)/(C(n,s)·s(n−s)); the rest of the samples are
//   drawn: a size by the remaining weights (a paired size's weight halved, as it gives two
//   coalitions per draw), then its members uniformly; a coalition drawn again adds weight to it,
//   and the drawn coalitions share what is left of the kernel weight by these counts;
// - no coalition is all words or none: v(∅) is the base value exactly (no intercept) and
//   Σφ = v(all) − v(∅) is a constraint, met by eliminating the last word's value, then a
//   weighted least-squares fit of the others (shap's `solve`, without its optional L1 feature
//   selection: every word gets a value);
// - a message of at most `exactUpTo` words (10) enumerates all 2^n coalitions: then the values
//   are the exact Shapley values of the removal game.
// What is ours: the seeded PRNG (mulberry32, not numpy's), coalitions shuffled within each
// enumerated size (so a run cut short there used a uniform part of that size), complements
// never split from their coalition, the memoising batched predictor shared with the other
// explainers, and a time budget: after a floor of `minSamples` coalitions the rest are evaluated
// in chunks sized to the time left; an enumeration that would not fit becomes KernelSHAP
// sampling with the samples that fit (reusing every value computed), and a cut in sampling keeps
// the coalitions drawn first.
import { z } from 'zod';
import { checkTarget, count, finiteOrNull, mergeSettings, now, targetOf } from './common';
import { defineExplainer } from './explainer';
import { solveSpd } from './lime';
import { cachedPredict, textWithWords } from './perturb';
import { createRng, type Rng } from './rng';

/** The value of each coalition in a batch (`present[c][i]`: word i is in coalition c), in order. */
export type CoalitionValue = (present: boolean[][]) => Promise<number[]>;

export interface ShapleyOptions {
  /** Coalitions to evaluate besides all words and none, when sampling (at most 2^n − 2 are distinct). */
  samples: number;
  seed: number;
  /** Enumerate every coalition of a message with at most this many words (capped at MAX_EXACT_WORDS). */
  exactUpTo: number;
  /** Stop evaluating new coalitions once this many ms have passed since the call (null: no budget). */
  timeBudgetMs: number | null;
  /** Coalitions evaluated however short the budget (when there are that many). */
  minSamples: number;
  /** New coalitions per call of `value` while pacing (the budget is checked between calls). */
  chunkSize: number;
  /** Coalitions whose value is already known elsewhere and costs nothing (e.g. cached texts): left out of the pace. */
  known?: (present: readonly boolean[]) => boolean;
}

export interface ShapleyResult {
  /** One value per word: its Shapley value (exact) or KernelSHAP's estimate of it. */
  values: number[];
  /** v(∅), the game's value with no word. */
  baseValue: number;
  /** v(all words). */
  fullValue: number;
  /** True when every coalition was evaluated: the values are the exact Shapley values. */
  exact: boolean;
  /** Coalitions the values rest on, besides all words and none. */
  samples: number;
  /** True when the time budget stopped the evaluation (fewer samples than asked, or no longer exact). */
  stoppedByBudget: boolean;
  /** |Σφ − (v(all) − v(∅))|: zero up to rounding, as the constraint is met by construction. */
  additivityGap: number;
}

/** Words up to which an exact enumeration is allowed at all: 2^16 coalitions. */
export const MAX_EXACT_WORDS = 16;
/** Most coalitions one run plans (a bound on time and memory whatever the settings say). */
export const MAX_SHAP_SAMPLES = 100_000;

/** C(n, k) as a float (exact up to 2^53). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let out = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) out = (out * (n - i + 1)) / i;
  return Math.round(out);
}

/** A coalition and, for a paired size, its complement right after it; each with its key ('0'/'1' per word). */
interface PlanGroup {
  masks: Uint8Array[];
  keys: string[];
}

/** The coalitions KernelSHAP evaluates for `n` words, in evaluation order, and what weighs them. */
export interface KernelShapPlan {
  n: number;
  groups: PlanGroup[];
  /** Groups [start, end) of each enumerated size (by the smaller side s), in plan order. */
  enumerated: { size: number; start: number; end: number }[];
  /** Groups from here on were drawn at random. */
  drawnFrom: number;
  /** Every draw, in order: the group it hit (its first hit made the group). */
  draws: number[];
  /** For each drawn group (index − drawnFrom), the draw that made it. */
  madeAt: number[];
  /** Kernel weight of each size s = 1 … ⌈(n−1)/2⌉ with its complement size, summing to 1. */
  sizeWeights: number[];
  /** Every coalition but all and none is in the plan. */
  exact: boolean;
}

function pickIndex(weights: readonly number[], rng: Rng): number {
  const u = rng.next();
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    if (u < acc) return i;
  }
  return weights.length - 1;
}

function maskOf(n: number, present: readonly number[]): Uint8Array {
  const mask = new Uint8Array(n);
  for (const i of present) mask[i] = 1;
  return mask;
}

const complementOf = (mask: Uint8Array): Uint8Array => mask.map((x) => 1 - x);
function keyOf(mask: Uint8Array): string {
  let key = '';
  for (let i = 0; i < mask.length; i++) key += mask[i] ? '1' : '0';
  return key;
}
function groupOf(mask: Uint8Array, paired: boolean): PlanGroup {
  const masks = paired ? [mask, complementOf(mask)] : [mask];
  return { masks, keys: masks.map(keyOf) };
}

/** Every k-subset of [0, n) in lexicographic order. */
export function* combinations(n: number, k: number): Generator<number[]> {
  const idx = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield [...idx];
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i]!++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}

/**
 * The coalitions KernelSHAP evaluates for `n` ≥ 2 words with `samples` samples (slundberg/shap's
 * KernelExplainer.explain): sizes enumerated while they fit, smallest first, then draws. With
 * `exact`, or when `samples` reaches 2^n − 2, every size is enumerated.
 */
export function kernelShapPlan(n: number, samples: number, seed: number, exact = false): KernelShapPlan {
  const sizes = Math.ceil((n - 1) / 2);
  const paired = Math.floor((n - 1) / 2);
  const raw = Array.from({ length: sizes }, (_, i) => ((n - 1) / ((i + 1) * (n - i - 1))) * (i + 1 <= paired ? 2 : 1));
  const total = raw.reduce((a, b) => a + b, 0);
  const sizeWeights = raw.map((w) => w / total);
  const all = 2 ** n - 2;
  const wanted = Math.max(0, Math.min(Math.floor(samples), MAX_SHAP_SAMPLES));
  const everything = exact || wanted >= all;
  const rng = createRng(seed);
  const groups: PlanGroup[] = [];
  const enumerated: KernelShapPlan['enumerated'] = [];

  let left = everything ? all : wanted;
  let remaining = [...sizeWeights];
  for (let s = 1; s <= sizes; s++) {
    const isPaired = s <= paired;
    const subsets = binomial(n, s) * (isPaired ? 2 : 1);
    if (!everything && !((left * remaining[s - 1]!) / subsets >= 1 - 1e-8)) break;
    left -= subsets;
    if (remaining[s - 1]! < 1) remaining = remaining.map((w) => w / (1 - remaining[s - 1]!));
    const start = groups.length;
    for (const present of combinations(n, s)) {
      const mask = maskOf(n, present);
      groups.push(groupOf(mask, isPaired));
    }
    // Shuffled within the size: a run cut short here used a uniform part of it.
    for (let i = groups.length - 1; i > start; i--) {
      const j = start + Math.floor(rng.next() * (i - start + 1));
      [groups[i], groups[j]] = [groups[j]!, groups[i]!];
    }
    enumerated.push({ size: s, start, end: groups.length });
  }

  const drawnFrom = groups.length;
  const draws: number[] = [];
  const madeAt: number[] = [];
  const full = enumerated.length;
  if (full < sizes && left > 0) {
    const drawWeights = sizeWeights.map((w, i) => (i + 1 <= paired ? w / 2 : w)).slice(full);
    const sum = drawWeights.reduce((a, b) => a + b, 0);
    const probabilities = drawWeights.map((w) => w / sum);
    const seen = new Map<string, number>();
    const maxDraws = 4 * left;
    while (left > 0 && draws.length < maxDraws) {
      const s = full + 1 + pickIndex(probabilities, rng);
      const mask = maskOf(n, rng.choose(n, s));
      const key = keyOf(mask);
      const hit = seen.get(key);
      if (hit !== undefined) {
        draws.push(hit);
        continue;
      }
      const isPaired = s <= paired;
      // A coalition and its complement are never split (the last pair may pass `samples` by one).
      seen.set(key, groups.length);
      madeAt.push(draws.length);
      draws.push(groups.length);
      groups.push(groupOf(mask, isPaired));
      left -= isPaired ? 2 : 1;
    }
  }
  return { n, groups, enumerated, drawnFrom, draws, madeAt, sizeWeights, exact: enumerated.length === sizes && groups.length > 0 };
}

/** Each evaluated coalition's kernel weight when the first `used` groups of `plan` were evaluated. */
export function planWeights(plan: KernelShapPlan, used: number): { mask: Uint8Array; key: string; weight: number }[] {
  const { n, groups } = plan;
  const paired = Math.floor((n - 1) / 2);
  const out: { mask: Uint8Array; key: string; weight: number }[] = [];
  const counts = new Map<number, number>();
  let weightLeft = 0;
  const complete = new Set<number>();
  for (const { size, start, end } of plan.enumerated) {
    if (end <= used) {
      complete.add(size);
      const perCoalition = plan.sizeWeights[size - 1]! / (binomial(n, size) * (size <= paired ? 2 : 1));
      for (let g = start; g < end; g++) groups[g]!.masks.forEach((mask, m) => out.push({ mask, key: groups[g]!.keys[m]!, weight: perCoalition }));
    } else {
      // Cut inside an enumerated size: what was evaluated of it counts as drawn.
      for (let g = start; g < Math.min(end, used); g++) counts.set(g, 1);
    }
  }
  plan.sizeWeights.forEach((w, i) => {
    if (!complete.has(i + 1)) weightLeft += w;
  });
  if (used > plan.drawnFrom) {
    const drawsSeen = used < groups.length ? plan.madeAt[used - plan.drawnFrom]! : plan.draws.length;
    for (let d = 0; d < drawsSeen; d++) counts.set(plan.draws[d]!, (counts.get(plan.draws[d]!) ?? 0) + 1);
  }
  let countSum = 0;
  for (const [g, c] of counts) countSum += c * groups[g]!.masks.length;
  if (countSum > 0) {
    for (const [g, c] of [...counts].sort((a, b) => a[0] - b[0])) {
      groups[g]!.masks.forEach((mask, m) => out.push({ mask, key: groups[g]!.keys[m]!, weight: (c * weightLeft) / countSum }));
    }
  }
  return out;
}

/**
 * The constrained weighted least squares of KernelSHAP: minimise Σ w (v(S) − v(∅) − Σ_{i∈S} φ_i)²
 * subject to Σφ = v(all) − v(∅), with the last word's value eliminated. A singular system (too few
 * coalitions for the words) gets the least ridge that makes it solvable.
 */
export function solveKernelShap(n: number, rows: readonly { mask: Uint8Array; weight: number; value: number }[], baseValue: number, fullValue: number): number[] {
  const delta = fullValue - baseValue;
  if (n === 0) return [];
  if (n === 1) return [delta];
  const m = n - 1;
  const a: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const b = new Array<number>(m).fill(0);
  const x = new Array<number>(m);
  for (const { mask, weight, value } of rows) {
    if (!(weight > 0)) continue;
    const last = mask[m]!;
    const y = value - baseValue - last * delta;
    for (let j = 0; j < m; j++) x[j] = mask[j]! - last;
    for (let j = 0; j < m; j++) {
      if (x[j] === 0) continue;
      const v = weight * x[j]!;
      b[j] += v * y;
      const row = a[j]!;
      for (let k = 0; k <= j; k++) row[k] += v * x[k]!;
    }
  }
  let trace = 0;
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) a[k]![j] = a[j]![k]!;
    trace += a[j]![j]!;
  }
  // Ridges from 1e-10 of the mean diagonal up, ten times larger each try: a bounded search.
  let phi: number[] | null = null;
  const scale = Number.isFinite(trace) && trace > 0 ? trace / m : 1;
  for (let attempt = 0; phi === null && attempt < 16; attempt++) {
    const ridge = attempt === 0 ? 0 : scale * 10 ** (attempt - 11);
    try {
      phi = solveSpd(ridge === 0 ? a : a.map((row, j) => row.map((v, k) => (j === k ? v + ridge : v))), b);
    } catch {
      // Not positive definite at this ridge: try a larger one.
    }
  }
  // No solution (the values were not finite): no word gets any of it.
  phi ??= new Array<number>(m).fill(Number.NaN);
  let sum = 0;
  for (const v of phi) sum += v;
  return [...phi, delta - sum];
}

/**
 * Shapley values of any game on `nWords` players whose `value` is evaluated in batches of
 * coalitions (e.g. p(target), or a margin between two classes, of the text with only those
 * words): exact by enumeration for at most `exactUpTo` words, else KernelSHAP with paired
 * sampling; Σφ = v(all) − v(∅) always. Under a time budget see the file's header.
 */
export async function shapleyValues(nWords: number, value: CoalitionValue, options: ShapleyOptions): Promise<ShapleyResult> {
  const started = now();
  const n = Math.max(0, Math.floor(nWords));
  const [fullValue, baseValue] = await value([new Array<boolean>(n).fill(true), new Array<boolean>(n).fill(false)]);
  const result = (values: number[], exact: boolean, samples: number, stoppedByBudget: boolean): ShapleyResult => ({
    values,
    baseValue: baseValue!,
    fullValue: fullValue!,
    exact,
    samples,
    stoppedByBudget,
    additivityGap: Math.abs(values.reduce((a, b) => a + b, 0) - (fullValue! - baseValue!)),
  });
  if (n <= 1) return result(n === 1 ? [fullValue! - baseValue!] : [], true, 0, false);

  const all = n < 53 ? 2 ** n - 2 : Number.POSITIVE_INFINITY;
  const exactWords = Math.min(Math.floor(options.exactUpTo), MAX_EXACT_WORDS);
  const samples = Math.max(1, Math.floor(options.samples));
  const minSamples = Math.max(0, Math.floor(options.minSamples));
  const chunkSize = Math.max(1, Math.floor(options.chunkSize));
  const budget = options.timeBudgetMs;
  let plan = n <= exactWords || samples >= all ? kernelShapPlan(n, all, options.seed, true) : kernelShapPlan(n, samples, options.seed);
  const memo = new Map<string, number>();
  // What `known` said, by coalition: a known value stays known, and one not known only becomes
  // known by being evaluated here (then it is in `memo`).
  const knownAlready = new Map<string, boolean>();
  const isKnown = (mask: Uint8Array, key: string): boolean => {
    let known = knownAlready.get(key);
    if (known === undefined) knownAlready.set(key, (known = options.known?.(Array.from(mask, (x) => x === 1)) ?? false));
    return known;
  };
  const newIn = (group: PlanGroup): number => group.masks.reduce((sum, mask, m) => sum + (memo.has(group.keys[m]!) || isKnown(mask, group.keys[m]!) ? 0 : 1), 0);

  /** The end of the shortest prefix from `from` holding `limit` new coalitions (at least one group). */
  const groupsFor = (from: number, limit: number): number => {
    let fresh = 0;
    let end = from;
    for (; end < plan.groups.length; end++) {
      const add = newIn(plan.groups[end]!);
      if (end > from && fresh + add > limit) break;
      fresh += add;
    }
    return end;
  };
  /** The end of the shortest prefix holding `masks` coalitions in all. */
  const floorOf = (masks: number): number => {
    let held = 0;
    let end = 0;
    while (end < plan.groups.length && held < masks) held += plan.groups[end++]!.masks.length;
    return end;
  };
  const masksIn = (from: number, to: number): number => plan.groups.slice(from, to).reduce((sum, g) => sum + g.masks.length, 0);

  let used = 0;
  let floor = floorOf(minSamples);
  let stoppedByBudget = false;
  let replanned = false;
  let paceMs = 0;
  let paceCount = 0;
  /** Evaluates the coalitions of groups [used, end) not evaluated yet, in one call; returns `end`. */
  const evaluateUpTo = async (end: number): Promise<number> => {
    const fresh: Uint8Array[] = [];
    const freshKeys = new Set<string>();
    const order: string[] = [];
    let paced = 0;
    for (let g = used; g < end; g++) {
      const { masks, keys } = plan.groups[g]!;
      masks.forEach((mask, m) => {
        const key = keys[m]!;
        if (memo.has(key) || freshKeys.has(key)) return;
        freshKeys.add(key);
        order.push(key);
        fresh.push(mask);
        if (!isKnown(mask, key)) paced++;
      });
    }
    if (fresh.length > 0) {
      const chunkStarted = now();
      const values = await value(fresh.map((mask) => Array.from(mask, (x) => x === 1)));
      if (values.length !== fresh.length) throw new Error(`value returned ${values.length} values for ${fresh.length} coalitions`);
      order.forEach((key, i) => memo.set(key, values[i]!));
      if (paced > 0) {
        paceMs += now() - chunkStarted;
        paceCount += paced;
      }
    }
    return end;
  };

  while (used < plan.groups.length) {
    if (budget === null) {
      used = await evaluateUpTo(plan.groups.length);
      break;
    }
    if (used < floor) {
      // The floor in one call (a first chunk at least, to measure the pace).
      used = await evaluateUpTo(Math.max(floor, paceCount === 0 ? groupsFor(used, chunkSize) : used + 1));
      continue;
    }
    if (paceCount === 0 || paceMs <= 0) {
      // Nothing new evaluated yet (all known): one chunk measures the pace.
      used = await evaluateUpTo(groupsFor(used, chunkSize));
      continue;
    }
    const left = budget - (now() - started);
    const affordable = Math.floor(left / (paceMs / paceCount));
    // Not evaluated yet (some may be known and cost nothing: an upper bound, cheap to count).
    let newLeft = 0;
    for (let g = used; g < plan.groups.length; g++) for (const key of plan.groups[g]!.keys) if (!memo.has(key)) newLeft++;
    if (newLeft === 0) {
      used = await evaluateUpTo(plan.groups.length);
      break;
    }
    if (plan.exact && !replanned && newLeft > affordable) {
      // The enumeration will not fit: sample with what does (the values known are reused).
      const target = Math.max(minSamples, masksIn(0, used) + Math.max(0, affordable));
      if (target < all) {
        plan = kernelShapPlan(n, target, options.seed);
        replanned = true;
        used = 0;
        floor = floorOf(minSamples);
        continue;
      }
    }
    // Too little time for a quarter of a chunk: stop here.
    if (affordable < Math.max(1, chunkSize / 4)) {
      stoppedByBudget = true;
      break;
    }
    used = await evaluateUpTo(groupsFor(used, affordable));
  }
  const rows = planWeights(plan, used).map(({ mask, key, weight }) => ({ mask, weight, value: memo.get(key)! }));
  const values = solveKernelShap(n, rows, baseValue!, fullValue!);
  const exact = plan.exact && used === plan.groups.length;
  return result(values, exact, masksIn(0, used), stoppedByBudget || (replanned && !exact));
}

export interface ShapSettings {
  /** Coalitions sampled for a message of more than `exactUpTo` words. */
  samples: number;
  seed: number;
  /** Messages of at most this many words get exact Shapley values (all 2^n coalitions). */
  exactUpTo: number;
  /** Stop evaluating new coalitions once this many ms have passed (null: no budget). */
  timeBudgetMs: number | null;
  /** Coalitions used however short the budget (see SHAP_DEFAULTS for the figures). */
  minSamples: number;
  batchSize: number;
}

/** What a stored SHAP explanation's `settings` may hold. */
export const shapSettingsSchema = z.object({
  samples: count(MAX_SHAP_SAMPLES).optional(),
  seed: z.number().int().optional(),
  exactUpTo: count(MAX_EXACT_WORDS).optional(),
  timeBudgetMs: z.number().min(0).max(3_600_000).nullable().optional(),
  minSamples: count(MAX_SHAP_SAMPLES).optional(),
  batchSize: count(100_000).optional(),
});

/** What a stored SHAP explanation's `extra` may hold: the game's two ends and how the values were reached. */
export const shapExtraSchema = z.object({
  /** f(∅): p(target) of the text with no word (the values sum to fx − baseValue). */
  baseValue: finiteOrNull.optional(),
  /** f(x): p(target) of the message. */
  fx: finiteOrNull.optional(),
  /** Every coalition was evaluated: the scores are the exact Shapley values. */
  exact: z.boolean().optional(),
  /** Coalitions the scores rest on, besides all words and none. */
  samples: count(MAX_SHAP_SAMPLES).optional(),
  /** Distinct texts among them and the two ends (each evaluated once). */
  distinctTexts: count(MAX_SHAP_SAMPLES + 2).optional(),
  /** The time budget cut the samples short, or made an exact enumeration a sample. */
  stoppedByBudget: z.boolean().optional(),
  /** |Σ scores − (fx − baseValue)|. */
  additivityGap: finiteOrNull.optional(),
});
export type ShapExtra = z.output<typeof shapExtraSchema>;

// Samples: see tests/explain/shap.test.ts for the stability they give on the demo model.
const SHAP_DEFAULTS: ShapSettings = { samples: 1000, seed: 42, exactUpTo: 10, timeBudgetMs: 2000, minSamples: 400, batchSize: 64 };

export const shapExplainer = defineExplainer({
  method: 'shap',
  label: 'SHAP',
  shortLabel: 'SHAP',
  needs: [],
  scoresWords: true,
  description: "Each word's fair share of my confidence in this answer, over every way of removing words from the message.",
  view: undefined,
  settingsSchema: shapSettingsSchema,
  extraSchema: shapExtraSchema,
  stringFields: {},
  // Numbers only: nothing of the visitor's to fit.
  fitExtra: (extra) => ({ ok: true, extra }),
  defaults: SHAP_DEFAULTS,
  async explain(input, settings?: Partial<ShapSettings>) {
    const t0 = now();
    const s = mergeSettings(SHAP_DEFAULTS, settings);
    const cp = cachedPredict(input.predict, s.batchSize);
    const textOf = (present: readonly boolean[]) => textWithWords(input.text, input.words, present);
    const texts = new Set<string>();
    const value: CoalitionValue = async (coalitions) => {
      const batch = coalitions.map(textOf);
      for (const text of batch) texts.add(text);
      const probs = await cp.predict(batch);
      checkTarget(input, probs[0]!);
      return probs.map((p) => p[input.target]!);
    };
    const shapley = await shapleyValues(input.words.length, value, {
      samples: s.samples,
      seed: s.seed,
      exactUpTo: s.exactUpTo,
      timeBudgetMs: s.timeBudgetMs,
      minSamples: s.minSamples,
      chunkSize: s.batchSize,
      known: (present) => cp.has(textOf(present)),
    });
    return {
      method: 'shap',
      version: 1,
      target: targetOf(input, shapley.fullValue),
      settings: { ...s },
      words: input.words,
      scores: shapley.values,
      extra: {
        baseValue: shapley.baseValue,
        fx: shapley.fullValue,
        exact: shapley.exact,
        samples: shapley.samples,
        distinctTexts: texts.size,
        stoppedByBudget: shapley.stoppedByBudget,
        additivityGap: shapley.additivityGap,
      },
      timing: { ms: now() - t0, forwardPasses: cp.stats.forwardPasses },
    };
  },
});
