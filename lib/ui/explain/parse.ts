// Reading explanations for display. The panel renders objects made in a browser and stored
// as they were posted, so it treats them as untrusted data: every function here is total
// (any input gives a value or a reason, never an exception) and bounds what it hands on, so
// an odd record renders as "cannot display" or in part, never as a crash or a huge page.
import { z } from 'zod';
import type { AnyExplainer, ExplainerView, ExplanationFrom, ExplanationOf, Faithfulness } from '@/lib/explain/explainer';
import { descriptorOf, EXPLAINERS, methodsOf, type AppExplainer, type Explanation, type ExplanationMethod, type ExplanationOfMethod, type ExplanationWithView } from '@/lib/explain/methods';
import type { WordSpan } from '@/lib/model/types';
import { explanationKey, versusOf } from '@/lib/records/explanation';

/** The most the panel renders of one explanation; what is cut is said on the page. */
export const RENDER_LIMITS = {
  words: 120,
  layers: 12,
  heads: 16,
  tokens: 48,
  neighbours: 10,
  faithfulnessLevels: 8,
  removedWords: 10,
  topK: 10,
  /** Contrasts ("why this and not that?") of one prediction, one per other intent. */
  contrasts: 24,
} as const;

const finite = z.number().finite();
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The fields every explanation has; `settings` and `extra` are read with the method's own schemas. */
const envelopeOf = (list: readonly AnyExplainer[]) =>
  z.object({
    method: z.enum(methodsOf(list)),
    target: z.object({ index: count, label: z.string().max(200), probability: finite }),
    settings: z.unknown(),
    words: z.array(z.object({ text: z.string().max(1000), start: count, end: count })).max(5000),
    // A gap (null, NaN stored as null) or a string among the scores makes them unreadable: no score is guessed.
    scores: z.array(finite).max(5000).nullable(),
    extra: z.unknown(),
    faithfulness: z.unknown().optional(),
    timing: z.object({ ms: finite.min(0), forwardPasses: count }).catch({ ms: Number.NaN, forwardPasses: 0 }),
  });

const faithfulnessSchema = z.object({
  comprehensiveness: z.array(z.object({ k: z.string().max(20), value: finite })).max(RENDER_LIMITS.faithfulnessLevels),
  sufficiency: z.array(z.object({ k: z.string().max(20), value: finite })).max(RENDER_LIMITS.faithfulnessLevels),
  meanComprehensiveness: finite,
  meanSufficiency: finite,
  deletionAuc: finite,
});

/** One explanation ready to render, with what was left out to keep the page small. */
export interface ReadExplanation<E extends ExplanationOf = Explanation> {
  explanation: E;
  /** Sentences for the reader: "Showing the first 120 of 3,000 words." */
  cut: string[];
}

export type ReadResult<E extends ExplanationOf = Explanation> = { ok: true; value: ReadExplanation<E> } | { ok: false; method: string; reason: string };

const methodOf = (value: unknown): string => {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, 'method')) return 'unknown';
  const method: unknown = (value as { method?: unknown }).method;
  return typeof method === 'string' ? method.slice(0, 40) : 'unknown';
};

const firstIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  if (!issue) return 'it does not have the expected shape';
  const where = issue.path.length ? issue.path.slice(0, 4).join('.') : 'the object';
  return `${where}: ${issue.message}`.slice(0, 200);
};

/**
 * Reads one stored explanation of a method of `list`, or says why it cannot be displayed. Its
 * `settings` and `extra` are read with the method's own schemas (the ones the server stores
 * with); when one does not fit, the rest of the explanation is still shown and the cut says so.
 */
export function readExplanationWith<D extends AnyExplainer>(list: readonly D[], value: unknown): ReadResult<ExplanationFrom<D>> {
  const parsed = envelopeOf(list).safeParse(value);
  if (!parsed.success) return { ok: false, method: methodOf(value), reason: firstIssue(parsed.error) };
  const { method, target, words, scores, timing } = parsed.data;
  const descriptor: AnyExplainer = descriptorOf(list, method)!;
  const cut: string[] = [];
  if (scores !== null && scores.length !== words.length) {
    return { ok: false, method, reason: `it has ${scores.length} scores for ${words.length} words` };
  }
  const settings = readPart(descriptor.settingsSchema, parsed.data.settings, 'settings', cut);
  const extra = readPart(descriptor.extraSchema, parsed.data.extra, 'method data', cut);
  if (!settings || !extra) return { ok: false, method, reason: `its ${settings ? 'method data' : 'settings'} cannot be read` };
  let faithfulness: Faithfulness | undefined;
  if (parsed.data.faithfulness !== undefined) {
    const read = faithfulnessSchema.safeParse(parsed.data.faithfulness);
    if (read.success) faithfulness = read.data;
    else cut.push('Its faithfulness figures could not be read.');
  }
  let shownWords = words;
  let shownScores = scores;
  if (words.length > RENDER_LIMITS.words) {
    shownWords = words.slice(0, RENDER_LIMITS.words);
    shownScores = scores?.slice(0, RENDER_LIMITS.words) ?? null;
    cut.push(`Showing the first ${RENDER_LIMITS.words} of ${words.length.toLocaleString('en')} words.`);
  }
  // `settings` and `extra` were read with the schemas of this very method's descriptor.
  const explanation = { method, version: 1, target, settings, words: shownWords, scores: shownScores, extra, faithfulness, timing } as ExplanationFrom<D>;
  return { ok: true, value: { explanation, cut } };
}

/** `value` read with `schema`; when it does not fit, what the schema makes of nothing (and the cut says so), or null when even that fails. */
function readPart(schema: z.ZodType<object>, value: unknown, what: string, cut: string[]): object | null {
  const read = schema.safeParse(value ?? {});
  if (read.success) return read.data;
  cut.push(`Its ${what} could not be read (${firstIssue(read.error)}).`);
  const empty = schema.safeParse({});
  return empty.success ? empty.data : null;
}

/** Reads one stored explanation of the app's methods, or says why it cannot be displayed. */
export const readExplanation = (value: unknown): ReadResult => readExplanationWith<AppExplainer>(EXPLAINERS, value);

/**
 * Every readable explanation of `list`'s methods and the reasons for the others. The last of
 * each method wins, and of each contrast's other intent (`versusOf`): at most one explanation per
 * method, and RENDER_LIMITS.contrasts contrasts, are read, whatever was stored.
 */
export function readExplanationsWith<D extends AnyExplainer>(
  list: readonly D[],
  values: unknown,
): { read: ReadExplanation<ExplanationFrom<D>>[]; unreadable: { method: string; reason: string }[] } {
  const byKey = new Map<string, ReadExplanation<ExplanationFrom<D>>>();
  const unreadable: { method: string; reason: string }[] = [];
  if (!Array.isArray(values)) return { read: [], unreadable: [{ method: 'unknown', reason: 'the stored explanations are not a list' }] };
  // Looked at cheaply before being read, so that a long list costs no more than the shown part.
  const answerLimit = list.length * 2;
  let answers = 0;
  const contrasts = new Set<string>();
  let left = 0;
  for (const value of values) {
    const versus = typeof value === 'object' && value !== null ? versusOf(value as { extra?: unknown }) : '';
    // A contrast with an other intent already read takes no more room: the last one wins.
    if (versus ? !contrasts.has(versus) && contrasts.size >= RENDER_LIMITS.contrasts : answers >= answerLimit) {
      left++;
      continue;
    }
    if (versus) contrasts.add(versus);
    else answers++;
    const result = readExplanationWith(list, value);
    if (result.ok) byKey.set(explanationKey(result.value.explanation), result.value);
    else unreadable.push({ method: result.method, reason: result.reason });
  }
  if (left > 0) unreadable.push({ method: 'unknown', reason: `${left} more explanations were left out` });
  return { read: [...byKey.values()], unreadable };
}

/** Every readable explanation of the app's methods, and the reasons for the others. */
export const readExplanations = (values: unknown) => readExplanationsWith<AppExplainer>(EXPLAINERS, values);

/**
 * The explanation shown by special view `view`: the one whose method's descriptor declares that
 * view (a method that declares a view stores the `extra` the view reads).
 */
export function withView<V extends ExplainerView>(explanations: readonly Explanation[], view: V): ExplanationWithView<V> | undefined {
  return explanations.find((explanation) => shownBy(explanation, view));
}

/** Whether special view `view` shows this explanation (its method's descriptor declares the view). */
export function shownBy<V extends ExplainerView>(explanation: Explanation, view: V): explanation is ExplanationWithView<V> {
  return descriptorOf(EXPLAINERS, explanation.method)?.view === view;
}

/** The explanation of `method`, when it is one (an explanation read by `readExplanationWith` has its method's `settings` and `extra`). */
export function isMethod<M extends ExplanationMethod>(explanation: ExplanationOf | undefined, method: M): explanation is ExplanationOfMethod<M> {
  return explanation?.method === method;
}

// ---------------------------------------------------------------------------------------------
// What the special views draw, from the typed `extra` of the method that declares the view. Each
// reader checks what the schema cannot (that the arrays agree) and returns null when the data
// is not there; the attention reader also caps what the heatmaps draw.

type Drawn<T, K extends keyof T> = { [P in K]-?: NonNullable<T[P]> };

/** The attention data to draw: every field of the method's `extra` that the views need, present and agreeing. */
export type AttentionDrawing = Drawn<ExplanationOfMethod<'attention'>['extra'], 'layers' | 'heads' | 'tokens' | 'tokenWords' | 'matrices' | 'wordCls'> & {
  /** An ensemble's models stack their layers: `members` models of `layers / members` layers. */
  members?: number;
};

export interface ReadAttention {
  extra: AttentionDrawing;
  /** False when layers, heads or tokens were cut: rollout over the shown layers would be wrong. */
  complete: boolean;
  cut: string[];
}

/**
 * The attention data to draw, limited to RENDER_LIMITS.layers × heads × tokens; only the part
 * drawn is copied, so a large stored object costs no more to draw than a small one.
 */
export function readAttention(explanation: Explanation | undefined): ReadAttention | null {
  if (!explanation || !shownBy(explanation, 'attention-matrices')) return null;
  const { layers, heads, tokens, tokenWords, matrices, wordCls, members } = explanation.extra;
  if (!layers || !heads || !tokens || tokens.length === 0 || !tokenWords || !matrices || !wordCls) return null;
  if (tokenWords.length !== tokens.length || matrices.length !== layers || wordCls.length !== layers) return null;
  if (members !== undefined && (members < 1 || layers % members !== 0)) return null;
  const wordCount = explanation.words.length;
  const shownLayers = Math.min(layers, RENDER_LIMITS.layers);
  const shownHeads = Math.min(heads, RENDER_LIMITS.heads);
  const shownTokens = Math.min(tokens.length, RENDER_LIMITS.tokens);
  const layerMatrices: number[][][][] = [];
  const layerWords: number[][][] = [];
  for (let layer = 0; layer < shownLayers; layer++) {
    const headsOfLayer = matrices[layer]!;
    const wordsOfLayer = wordCls[layer]!;
    if (headsOfLayer.length !== heads || wordsOfLayer.length !== heads) return null;
    const shownMatrices: number[][][] = [];
    const shownWords: number[][] = [];
    for (let head = 0; head < shownHeads; head++) {
      const matrix = headsOfLayer[head]!;
      if (matrix.length !== tokens.length) return null;
      const rows: number[][] = [];
      for (let q = 0; q < shownTokens; q++) {
        const row = matrix[q]!;
        if (row.length !== tokens.length) return null;
        rows.push(row.slice(0, shownTokens));
      }
      shownMatrices.push(rows);
      const cls = wordsOfLayer[head]!;
      if (cls.length < Math.min(wordCount, 1)) return null;
      shownWords.push(cls.slice(0, RENDER_LIMITS.words));
    }
    layerMatrices.push(shownMatrices);
    layerWords.push(shownWords);
  }
  const cut: string[] = [];
  if (layers > shownLayers) cut.push(`Showing ${shownLayers} of ${layers.toLocaleString('en')} layers.`);
  if (heads > shownHeads) cut.push(`Showing ${shownHeads} of ${heads.toLocaleString('en')} heads per layer.`);
  if (tokens.length > shownTokens) cut.push(`The token table shows the first ${shownTokens} of ${tokens.length} tokens.`);
  const complete = cut.length === 0;
  return {
    extra: {
      layers: shownLayers,
      heads: shownHeads,
      tokens: tokens.slice(0, shownTokens),
      tokenWords: tokenWords.slice(0, shownTokens).map((word) => (word !== null && word < wordCount ? word : null)),
      matrices: layerMatrices,
      wordCls: layerWords,
      // Ensemble layer names stay right only when every layer is shown.
      members: complete && members !== undefined && members > 1 ? members : undefined,
    },
    complete,
    cut,
  };
}

/** The rollout's residual weight (and its token row), when stored. */
export function readRollout(explanation: Explanation | undefined): { residual: number; tokenRollout: (number | null)[] } | null {
  if (!explanation || !shownBy(explanation, 'rollout') || explanation.extra.residual === undefined) return null;
  return { residual: explanation.extra.residual, tokenRollout: explanation.extra.tokenRollout ?? [] };
}

/** The LIME surrogate's figures, when its fit was stored. */
export function readLime(explanation: Explanation | undefined) {
  if (!isMethod(explanation, 'lime')) return null;
  const { intercept, r2, samples, distinctTexts, kernelWidth, localPrediction } = explanation.extra;
  if (intercept === undefined || intercept === null || r2 === undefined || r2 === null || samples === undefined) return null;
  return { intercept, r2, samples, distinctTexts, kernelWidth: kernelWidth ?? undefined, localPrediction: localPrediction ?? undefined };
}

/** What would change the answer, with what was not stored as null. */
export interface CounterfactualView {
  found: boolean;
  removed: number[];
  removedWords: string[];
  text: string;
  newLabel: string | null;
  newProbability: number | null;
  /** p(original answer) on the changed text, when reported. */
  targetProbability: number | null;
}

export function readCounterfactual(explanation: Explanation | undefined): CounterfactualView | null {
  if (!explanation || !shownBy(explanation, 'counterfactual')) return null;
  const extra = explanation.extra;
  if (extra.found === undefined) return null;
  return {
    found: extra.found,
    removed: (extra.removed ?? []).slice(0, RENDER_LIMITS.removedWords),
    removedWords: (extra.removedWords ?? []).slice(0, RENDER_LIMITS.removedWords),
    text: extra.text ?? '',
    newLabel: extra.newLabel ?? null,
    newProbability: extra.newProbability ?? null,
    targetProbability: extra.targetProbability ?? null,
  };
}

export type Neighbour = NonNullable<ExplanationWithView<'neighbours'>['extra']['neighbours']>[number];

/** The similar questions, at most RENDER_LIMITS.neighbours, or null when none were stored. */
export function readNeighbours(explanation: Explanation | undefined): Neighbour[] | null {
  if (!explanation || !shownBy(explanation, 'neighbours')) return null;
  return explanation.extra.neighbours?.slice(0, RENDER_LIMITS.neighbours) ?? null;
}

// ---------------------------------------------------------------------------------------------
// "Why this, and not that?": a contrast between the answer and another intent.

/** Whether an explanation is a contrast (it names another intent, `extra.versus`). */
export const isContrast = (explanation: { extra?: unknown }): boolean => versusOf(explanation) !== '';

/** The smallest change found that makes the model choose the other intent. */
export interface ContrastChange {
  /** The words removed (indices into the words, at most RENDER_LIMITS.removedWords) and their text; none when the model already chooses the other intent. */
  removed: number[];
  removedWords: string[];
  /** p(answer) − p(other) once they are removed. */
  marginAfter: number | null;
  /** The answer then (the other intent), as a label. */
  newTop: string;
}

/** What the contrast view draws. */
export interface ContrastView {
  /** The intent explained (the answer) and the other intent, as labels. */
  answer: string;
  versus: string;
  words: WordSpan[];
  /** Per word: how much it favours the answer over the other intent (positive) or the other intent (negative); null when not stored. */
  scores: number[] | null;
  /** p(answer) − p(other) on the message. */
  margin: number | null;
  /** Null when no small change was found. */
  change: ContrastChange | null;
  /** No set of fewer words makes the model choose the other intent (every smaller set was tried). */
  smallest: boolean | null;
  /** Every set of up to this many words was tried. */
  exhaustiveUpTo: number | null;
  /** How many changed texts the search tried. */
  tried: number | null;
  /** Whether the word values are exact (every coalition) or estimated from `samples` coalitions. */
  exact: boolean | null;
  samples: number | null;
  timing: { ms: number; forwardPasses: number };
}

/** The fields of a contrast's `extra` the view draws (its method's schema has read the whole of it). */
const contrastExtra = z.object({
  versus: z.string().min(1).max(200),
  margin: finite.nullable().optional(),
  change: z
    .object({ removedWords: z.array(count).max(1000), marginAfter: finite.nullable().optional(), newTop: z.string().min(1).max(200) })
    .nullable()
    .optional(),
  smallest: z.boolean().optional(),
  exhaustiveUpTo: count.optional(),
  tried: count.optional(),
  exact: z.boolean().optional(),
  samples: count.optional(),
});

/**
 * A contrast to draw, or null when the explanation is none or its data cannot be read: the
 * word values must be one per word, and the removed words must be words of the message.
 */
export function readContrast(explanation: ExplanationOf | undefined): ContrastView | null {
  if (!explanation) return null;
  const read = contrastExtra.safeParse(explanation.extra);
  if (!read.success) return null;
  const extra = read.data;
  const { words, scores } = explanation;
  if (scores && scores.length !== words.length) return null;
  let change: ContrastChange | null = null;
  if (extra.change) {
    const indices = extra.change.removedWords;
    if (indices.some((index) => index >= words.length)) return null;
    const removed = [...new Set(indices)].sort((a, b) => a - b).slice(0, RENDER_LIMITS.removedWords);
    change = { removed, removedWords: removed.map((index) => words[index]!.text), marginAfter: extra.change.marginAfter ?? null, newTop: extra.change.newTop };
  }
  return {
    answer: explanation.target.label,
    versus: extra.versus,
    words,
    scores,
    margin: extra.margin ?? null,
    change,
    smallest: extra.smallest ?? null,
    exhaustiveUpTo: extra.exhaustiveUpTo ?? null,
    tried: extra.tried ?? null,
    exact: extra.exact ?? null,
    samples: extra.samples ?? null,
    timing: explanation.timing,
  };
}

export interface PredictionView {
  intent: string;
  confidence: number;
  topK: { intent: string; probability: number }[];
}

const topKSchema = z.array(z.unknown()).max(1000);
const topKEntry = z.object({ intent: z.string().max(200), probability: finite });

/** The prediction's own figures, readable whatever was stored. */
export function readPrediction(prediction: { intent: unknown; confidence: unknown; topK: unknown }): PredictionView {
  const intent = typeof prediction.intent === 'string' ? prediction.intent.slice(0, 200) : '';
  const confidence = typeof prediction.confidence === 'number' && Number.isFinite(prediction.confidence) ? prediction.confidence : Number.NaN;
  const list = topKSchema.safeParse(prediction.topK);
  const topK: PredictionView['topK'] = [];
  for (const entry of list.success ? list.data.slice(0, 100) : []) {
    const read = topKEntry.safeParse(entry);
    if (read.success) topK.push(read.data);
    if (topK.length === RENDER_LIMITS.topK) break;
  }
  return { intent, confidence, topK };
}
