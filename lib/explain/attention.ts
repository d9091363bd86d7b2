// Attention from [CLS], per layer and head, on the words the user typed.
import { z } from 'zod';
import { normalizeForTokens, preTokenSpans, SPECIAL_TOKENS } from '@/lib/model/spans';
import type { WordSpan } from '@/lib/model/types';
import { count, MAX_ATTENTION_HEADS, MAX_ATTENTION_LAYERS, MAX_TOKENS, MAX_WORDS, mergeSettings, misfit, now, requireAnalysis, share, targetOf, sharesOfTokens, tokensToWords, tokenText } from './common';
import { defineExplainer, type FitContext, type FitOutcome } from './explainer';
import { memberLayers } from './rollout';

export interface AttentionSettings {
  /**
   * Ensemble members whose layers are stacked in `analysis.attentions` (config.json
   * `ensemble_members`): "the last layer" is then each member's last layer, averaged.
   */
  members: number;
}

/** What a stored attention explanation's `settings` may hold. */
export const attentionSettingsSchema = z.object({
  members: count(MAX_ATTENTION_LAYERS).optional(),
  layer: z.enum(['last']).optional(),
  headAggregation: z.enum(['mean']).optional(),
  tokenAggregation: z.enum(['sum']).optional(),
});

/**
 * What a stored attention explanation's `extra` may hold (the explainer fills every field).
 * - `matrices` is the model's attention: [layer][head][query][key] over tokens, rounded to 6
 *   decimals (the model computes in float32; this halves the stored JSON, rows still sum to 1 ± 1e-4).
 * - `wordCls[l][h][w]`: attention of [CLS] (query 0) in layer l, head h, summed over word
 *   w's WordPiece tokens, renormalised over the words (special tokens dropped).
 * `scores` is the last layer's `wordCls` averaged over heads (still sums to 1); for an
 * ensemble, each member's last layer averaged over heads and members. `layers` counts every
 * stacked layer; member m owns layers m·layersPerMember … (m+1)·layersPerMember − 1.
 * Its arrays must also agree with one another and with the message's words and tokens: the
 * fit hook checks that on ingest.
 */
export const attentionExtraSchema = z.object({
  layers: count(MAX_ATTENTION_LAYERS).optional(),
  members: count(MAX_ATTENTION_LAYERS).optional(),
  layersPerMember: count(MAX_ATTENTION_LAYERS).optional(),
  heads: count(MAX_ATTENTION_HEADS).optional(),
  tokens: z.array(tokenText).max(MAX_TOKENS).optional(),
  tokenWords: z.array(count(MAX_WORDS).nullable()).max(MAX_TOKENS).optional(),
  matrices: z.array(z.array(z.array(z.array(share).max(MAX_TOKENS)).max(MAX_TOKENS)).max(MAX_ATTENTION_HEADS)).max(MAX_ATTENTION_LAYERS).optional(),
  wordCls: z.array(z.array(z.array(share).max(MAX_WORDS)).max(MAX_ATTENTION_HEADS)).max(MAX_ATTENTION_LAYERS).optional(),
});

export type AttentionExtra = z.output<typeof attentionExtraSchema>;

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

const ATTENTION_DEFAULTS: AttentionSettings = { members: 1 };

export const attentionExplainer = defineExplainer({
  method: 'attention',
  label: 'Attention',
  shortLabel: 'Attention',
  needs: ['analysis'],
  scoresWords: true,
  description:
    'How much the [CLS] token, which sees the whole sentence, attended to each word in the last layer, averaged over heads. Attention shows where the model looked, not why it decided.',
  view: 'attention-matrices',
  settingsSchema: attentionSettingsSchema,
  extraSchema: attentionExtraSchema,
  stringFields: {
    'settings.layer': 'enum',
    'settings.headAggregation': 'enum',
    'settings.tokenAggregation': 'enum',
    'extra.tokens[]': 'derived',
  },
  fitExtra: fitAttention,
  defaults: ATTENTION_DEFAULTS,
  async explain(input, settings?: Partial<AttentionSettings>) {
    const t0 = now();
    const s = mergeSettings(ATTENTION_DEFAULTS, settings);
    const a = requireAnalysis(input, 'attention');
    const n = input.words.length;
    const layers = a.attentions.length;
    const heads = layers ? a.attentions[0].length : 0;
    const shares = sharesOfTokens(a.tokens);
    const wordCls = a.attentions.map((layer) => layer.map((head) => tokensToWords(head[0] ?? [], shares, n)));
    const groups = memberLayers(wordCls, s.members);
    const lastLayers = groups.map((g) => g[g.length - 1]).filter((l) => l && l.length);
    const scores = new Array<number>(n).fill(0);
    for (const layer of lastLayers) for (const head of layer) for (let w = 0; w < n; w++) scores[w] += head[w] / layer.length / lastLayers.length;
    const extra = {
      layers,
      members: groups.length,
      layersPerMember: layers / groups.length,
      heads,
      tokens: a.tokens.map((t) => t.token),
      tokenWords: a.tokens.map((t) => t.word),
      matrices: a.attentions.map((layer) => layer.map((head) => head.map((row) => row.map(round6)))),
      wordCls,
    };
    return {
      method: 'attention',
      version: 1,
      target: targetOf(input, a.probabilities[input.target]),
      settings: { ...s, layer: 'last' as const, headAggregation: 'mean' as const, tokenAggregation: 'sum' as const },
      words: input.words,
      scores,
      extra,
      timing: { ms: now() - t0, forwardPasses: 0 },
    };
  },
});

/**
 * Token strings are kept only where they are pieces of their word as stored, the arrays must
 * agree with one another, with the message's words and with the model's shape.
 */
function fitAttention(posted: AttentionExtra, { storedText, words, bot, mask }: FitContext): FitOutcome<AttentionExtra> {
  const extra = { ...posted };
  const n = words.length;
  const { tokens, tokenWords, matrices, wordCls } = extra;
  if ((tokens === undefined) !== (tokenWords === undefined)) return misfit('extra.tokens and extra.tokenWords go together');
  const t = tokens?.length ?? 0;
  if (tokens && tokenWords) {
    if (tokenWords.length !== t) return misfit(`extra.tokenWords has ${tokenWords.length} entries for ${t} tokens`);
    if (t > bot.maxTokens) return misfit(`extra.tokens has ${t} tokens; the model reads at most ${bot.maxTokens}`);
    const outside = tokenWords.findIndex((w) => w !== null && w >= n);
    if (outside >= 0) return misfit(`extra.tokenWords[${outside}] names word ${tokenWords[outside]}, but the message has ${n} words`);
    extra.tokens = fitTokens(tokens, tokenWords, words, storedText, mask);
  }
  const layers = extra.layers ?? matrices?.length ?? wordCls?.length;
  const heads = extra.heads ?? matrices?.[0]?.length ?? wordCls?.[0]?.length;
  if (layers !== undefined && (layers < 1 || layers > bot.attentionLayers)) return misfit(`extra.layers is ${layers}; the model has 1 to ${bot.attentionLayers}`);
  if (heads !== undefined && heads !== bot.attentionHeads) return misfit(`extra.heads is ${heads}; the model has ${bot.attentionHeads}`);
  if (extra.members !== undefined && extra.layersPerMember !== undefined && layers !== undefined && extra.members * extra.layersPerMember !== layers) {
    return misfit('extra.members × extra.layersPerMember must be extra.layers');
  }
  if (matrices) {
    if (!tokens) return misfit('extra.matrices needs extra.tokens');
    const shape = checkShape(matrices, [layers!, heads!, t, t]);
    if (shape) return misfit(`extra.matrices${shape}`);
  }
  if (wordCls) {
    const shape = checkShape(wordCls, [layers!, heads!, n]);
    if (shape) return misfit(`extra.wordCls${shape}`);
  }
  return { ok: true, extra };
}

/** Letters and digits: what masking hides, and what a token outside every word unit cannot hold. */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Token strings the server can stand behind: a special token, a piece of the stored text where
 * its word lies (lower case, accents removed, as WordPiece sees it): of the pre-tokens that
 * word overlaps, since a piece of an unspaced run may reach into the next word unit; or, for a
 * token in no word, punctuation or a symbol the stored text holds. Any other token, a piece of
 * a masked card number included, becomes mask characters of its length.
 */
function fitTokens(tokens: readonly string[], tokenWords: readonly (number | null)[], words: readonly WordSpan[], storedText: string, mask: string): string[] {
  const pre = preTokenSpans(storedText);
  const normalised = new Map<number, string>();
  let normalisedText: string | undefined;
  const around = (word: WordSpan) => {
    let start = word.start;
    let end = word.end;
    for (const span of pre) {
      if (span.end <= word.start || span.start >= word.end) continue;
      start = Math.min(start, span.start);
      end = Math.max(end, span.end);
    }
    return normalizeForTokens(storedText.slice(start, end));
  };
  return tokens.map((token, i) => {
    if (SPECIAL_TOKENS.includes(token)) return token;
    const word = tokenWords[i];
    const piece = token.startsWith('##') ? token.slice(2) : token;
    if (word !== null && word !== undefined && piece.length > 0) {
      if (!normalised.has(word)) normalised.set(word, around(words[word]!));
      if (!piece.includes(mask) && normalised.get(word)!.includes(piece)) return token;
    } else if (piece.length > 0 && !piece.includes(mask) && !LETTER_OR_DIGIT.test(piece)) {
      normalisedText ??= normalizeForTokens(storedText);
      if (normalisedText.includes(piece)) return token;
    }
    return (token.startsWith('##') ? '##' : '') + mask.repeat(Math.max(1, piece.length));
  });
}

/** Where nested arrays differ from `shape` (e.g. "[2][0] has 5 entries, not 6"), or null. Linear in the entries. */
function checkShape(value: unknown, shape: readonly number[], at = ''): string | null {
  if (!Array.isArray(value)) return `${at} is not a list`;
  const [size, ...rest] = shape;
  if (value.length !== size) return `${at} has ${value.length} entries, not ${size}`;
  if (rest.length === 0) return null;
  for (let i = 0; i < value.length; i++) {
    const problem = checkShape(value[i], rest, `${at}[${i}]`);
    if (problem) return problem;
  }
  return null;
}
