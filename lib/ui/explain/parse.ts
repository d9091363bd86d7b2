// Reading explanations for display. The panel renders objects made in a browser and stored
// as they were posted, so it treats them as untrusted data: every function here is total
// (any input gives a value or a reason, never an exception) and bounds what it hands on, so
// an odd record renders as "cannot display" or in part, never as a crash or a huge page.
import { z } from 'zod';
import type { ExplanationMethod, Faithfulness } from '@/lib/explain/types';
import type { Explanation } from '@/lib/explain/types';

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
} as const;

const METHODS = ['attention', 'rollout', 'lime', 'occlusion', 'counterfactual', 'similar'] as const satisfies readonly ExplanationMethod[];

const finite = z.number().finite();
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const plainObject = z.record(z.string(), z.unknown());

const envelope = z.object({
  method: z.enum(METHODS),
  target: z.object({ index: count, label: z.string().max(200), probability: finite }),
  settings: plainObject.catch({}),
  words: z.array(z.object({ text: z.string().max(1000), start: count, end: count })).max(5000),
  // A gap (null, NaN stored as null) or a string among the scores makes them unreadable: no score is guessed.
  scores: z.array(finite).max(5000).nullable(),
  extra: plainObject.catch({}),
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
export interface ReadExplanation {
  explanation: Explanation;
  /** Sentences for the reader: "Showing the first 120 of 3,000 words." */
  cut: string[];
}

export type ReadResult = { ok: true; value: ReadExplanation } | { ok: false; method: string; reason: string };

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

/** Reads one stored explanation, or says why it cannot be displayed. */
export function readExplanation(value: unknown): ReadResult {
  const parsed = envelope.safeParse(value);
  if (!parsed.success) return { ok: false, method: methodOf(value), reason: firstIssue(parsed.error) };
  const { method, target, settings, words, scores, extra, timing } = parsed.data;
  const cut: string[] = [];
  if (scores !== null && scores.length !== words.length) {
    return { ok: false, method, reason: `it has ${scores.length} scores for ${words.length} words` };
  }
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
  return {
    ok: true,
    value: {
      explanation: { method, version: 1, target, settings, words: shownWords, scores: shownScores, extra, faithfulness, timing },
      cut,
    },
  };
}

/** Every readable explanation (the last of each method wins) and the reasons for the others. */
export function readExplanations(values: unknown): { read: ReadExplanation[]; unreadable: { method: string; reason: string }[] } {
  const list = Array.isArray(values) ? values.slice(0, METHODS.length * 2) : [];
  const byMethod = new Map<string, ReadExplanation>();
  const unreadable: { method: string; reason: string }[] = [];
  if (!Array.isArray(values)) unreadable.push({ method: 'unknown', reason: 'the stored explanations are not a list' });
  else if (values.length > list.length) unreadable.push({ method: 'unknown', reason: `${values.length - list.length} more explanations were left out` });
  for (const value of list) {
    const result = readExplanation(value);
    if (result.ok) byMethod.set(result.value.explanation.method, result.value);
    else unreadable.push({ method: result.method, reason: result.reason });
  }
  return { read: [...byMethod.values()], unreadable };
}

// ---------------------------------------------------------------------------------------------
// Method-specific `extra` data. Each reader checks the shape it needs and returns null when it
// is not there; the attention reader also caps what the heatmaps draw.

const numbers = z.array(finite);

export interface AttentionExtra {
  layers: number;
  heads: number;
  tokens: string[];
  tokenWords: (number | null)[];
  /** [layer][head][query token][key token]. */
  matrices: number[][][][];
  /** [layer][head][word]: attention from [CLS] to each word. */
  wordCls: number[][][];
  /** An ensemble's models stack their layers: `members` models of `layers / members` layers. */
  members?: number;
}

export interface ReadAttention {
  extra: AttentionExtra;
  /** False when layers, heads or tokens were cut: rollout over the shown layers would be wrong. */
  complete: boolean;
  cut: string[];
}

const attentionHeader = z.object({
  layers: z.number().int().min(1).max(1_000_000),
  heads: z.number().int().min(1).max(1_000_000),
  tokens: z.array(z.string().max(200)).min(1).max(4096),
  tokenWords: z.array(z.number().int().min(0).nullable()).max(4096),
  matrices: z.array(z.unknown()).max(1_000_000),
  wordCls: z.array(z.unknown()).max(1_000_000),
  members: z.number().int().min(1).max(1000).optional(),
});

/**
 * The attention data to draw, limited to RENDER_LIMITS.layers × heads × tokens; only the part
 * drawn is checked and copied, so a huge stored object costs no more than a small one.
 */
export function readAttention(explanation: Explanation | undefined): ReadAttention | null {
  if (explanation?.method !== 'attention') return null;
  const header = attentionHeader.safeParse(explanation.extra);
  if (!header.success) return null;
  const { layers, heads, tokens, tokenWords, matrices, wordCls, members } = header.data;
  if (tokenWords.length !== tokens.length || matrices.length !== layers || wordCls.length !== layers) return null;
  if (members !== undefined && layers % members !== 0) return null;
  const wordCount = explanation.words.length;
  const shownLayers = Math.min(layers, RENDER_LIMITS.layers);
  const shownHeads = Math.min(heads, RENDER_LIMITS.heads);
  const shownTokens = Math.min(tokens.length, RENDER_LIMITS.tokens);
  const layerMatrices: number[][][][] = [];
  const layerWords: number[][][] = [];
  for (let layer = 0; layer < shownLayers; layer++) {
    const headsOfLayer = matrices[layer];
    const wordsOfLayer = wordCls[layer];
    if (!Array.isArray(headsOfLayer) || headsOfLayer.length !== heads || !Array.isArray(wordsOfLayer) || wordsOfLayer.length !== heads) return null;
    const shownMatrices: number[][][] = [];
    const shownWords: number[][] = [];
    for (let head = 0; head < shownHeads; head++) {
      const matrix = headsOfLayer[head];
      if (!Array.isArray(matrix) || matrix.length !== tokens.length) return null;
      const rows: number[][] = [];
      for (let q = 0; q < shownTokens; q++) {
        const row = numbers.max(4096).safeParse(matrix[q]);
        if (!row.success || row.data.length !== tokens.length) return null;
        rows.push(row.data.slice(0, shownTokens));
      }
      shownMatrices.push(rows);
      const cls = numbers.max(5000).safeParse(wordsOfLayer[head]);
      if (!cls.success || cls.data.length < Math.min(wordCount, 1)) return null;
      shownWords.push(cls.data.slice(0, RENDER_LIMITS.words));
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

export interface RolloutExtra {
  tokenRollout: number[];
  residual: number;
}

const rolloutSchema = z.object({ residual: finite.min(0).max(1), tokenRollout: numbers.max(4096).catch([]) });

export function readRollout(explanation: Explanation | undefined): RolloutExtra | null {
  if (explanation?.method !== 'rollout') return null;
  const read = rolloutSchema.safeParse(explanation.extra);
  return read.success ? read.data : null;
}

export interface LimeExtra {
  intercept: number;
  r2: number;
  samples: number;
  distinctTexts?: number;
  kernelWidth?: number;
  localPrediction?: number;
}

const limeSchema = z.object({
  intercept: finite,
  r2: finite,
  samples: count,
  distinctTexts: count.optional().catch(undefined),
  kernelWidth: finite.optional().catch(undefined),
  localPrediction: finite.optional().catch(undefined),
});

export function readLime(explanation: Explanation | undefined): LimeExtra | null {
  if (explanation?.method !== 'lime') return null;
  const read = limeSchema.safeParse(explanation.extra);
  return read.success ? read.data : null;
}

export interface CounterfactualExtra {
  found: boolean;
  removed: number[];
  removedWords: string[];
  text: string;
  newIndex: number | null;
  newLabel: string | null;
  newProbability: number | null;
  /** p(original answer) on the changed text, when reported. */
  targetProbability: number | null;
}

const counterfactualSchema = z.object({
  found: z.boolean(),
  removed: z.array(count).max(1000).catch([]),
  removedWords: z.array(z.unknown()).max(1000).catch([]),
  text: z.string().max(5000).catch(''),
  newIndex: count.nullable().catch(null),
  newLabel: z.string().max(200).nullable().catch(null),
  newProbability: finite.nullable().catch(null),
  targetProbability: finite.nullable().catch(null),
});

export function readCounterfactual(explanation: Explanation | undefined): CounterfactualExtra | null {
  if (explanation?.method !== 'counterfactual') return null;
  const read = counterfactualSchema.safeParse(explanation.extra);
  if (!read.success) return null;
  const removedWords = read.data.removedWords.filter((word): word is string => typeof word === 'string').slice(0, RENDER_LIMITS.removedWords);
  return { ...read.data, removed: read.data.removed.slice(0, RENDER_LIMITS.removedWords), removedWords };
}

export interface Neighbour {
  text: string;
  label: string;
  score: number;
}

const neighbourSchema = z.object({ text: z.string().max(2000), label: z.string().max(200), score: finite });

/** The similar questions, malformed entries dropped, at most RENDER_LIMITS.neighbours. */
export function readNeighbours(explanation: Explanation | undefined): Neighbour[] | null {
  if (explanation?.method !== 'similar') return null;
  const list = explanation.extra.neighbours;
  if (!Array.isArray(list)) return null;
  const read: Neighbour[] = [];
  for (const entry of list.slice(0, 100)) {
    const neighbour = neighbourSchema.safeParse(entry);
    if (neighbour.success) read.push(neighbour.data);
    if (read.length === RENDER_LIMITS.neighbours) break;
  }
  return read;
}

/** A number stored in `extra`, when it is one. */
export function extraNumber(explanation: Explanation, key: string): number | null {
  const value = Object.hasOwn(explanation.extra, key) ? explanation.extra[key] : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
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
