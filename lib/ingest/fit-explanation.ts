import { MASK } from '@/lib/bot/redact';
import { removeWords } from '@/lib/explain/perturb';
import { normalizeForTokens, SPECIAL_TOKENS, wordSpans } from '@/lib/model/spans';
import type { WordSpan } from '@/lib/model/types';
import type { BotFacts } from '@/lib/verify/bots';
import type { ExplanationRecord } from '@/lib/records/explanation';

/** How each string field of an explanation record is made safe to store (see `RECORD_STRING_FIELDS` in ./redact-records.ts). */
export const EXPLANATION_STRING_FIELDS = {
  method: 'enum',
  'target.label': 'label',
  'words[].text': 'derived',
  'faithfulness.comprehensiveness[].k': 'enum',
  'faithfulness.sufficiency[].k': 'enum',
  'settings.layer': 'enum',
  'settings.headAggregation': 'enum',
  'settings.tokenAggregation': 'enum',
  'extra.tokens[]': 'derived',
  'extra.removedWords[]': 'derived',
  'extra.text': 'derived',
  'extra.newLabel': 'label',
  'extra.neighbours[].text': 'checked',
  'extra.neighbours[].label': 'label',
} as const;

/** An explanation fitted to its stored message, or what does not fit. */
export type FitResult = { ok: true; explanation: ExplanationRecord } | { ok: false, problem: string };

const misfit = (problem: string): FitResult => ({ ok: false, problem });

/**
 * Fits a posted explanation to the message it explains, as stored (personal data already
 * masked), and the bot's model. The server derives, and does not trust: the words are
 * recomputed from the stored text with the browser's own `wordSpans`, and a posted word must
 * have the same span and the same characters (the stored text's, or anything where it is
 * masked); what is stored is the stored text's words, so a masked card number stays masked
 * however the words were posted. Token strings are kept only where they are pieces of their
 * word as stored (else masked); the counterfactual's words and text are rebuilt from the
 * stored message; labels must be the model's and the target's index is the label's. Arrays
 * must agree with the words, the tokens and the model's shape.
 */
export function fitExplanation(posted: ExplanationRecord, storedText: string, bot: BotFacts): FitResult {
  const words = wordSpans(storedText);
  const wordProblem = misfitWord(posted.words, words, storedText);
  if (wordProblem) return misfit(wordProblem);
  const targetIndex = bot.labelIndex.get(posted.target.label);
  if (targetIndex === undefined) return misfit(`target.label "${posted.target.label}" is not a label of the ${bot.botId} model`);
  const fitted = { ...posted, words, target: { ...posted.target, index: targetIndex } } as ExplanationRecord;
  const n = words.length;
  switch (fitted.method) {
  case 'attention': {
    const extra = { ...fitted.extra };
    const { tokens, tokenWords, matrices, wordCls } = extra;
    if ((tokens === undefined) !== (tokenWords === undefined)) return misfit('extra.tokens and extra.tokenWords go together');
    const t = tokens?.length ?? 0;
    if (tokens && tokenWords) {
      if (tokenWords.length !== t) return misfit(`extra.tokenWords has ${tokenWords.length} entries for ${t} tokens`);
      if (t > bot.maxTokens) return misfit(`extra.tokens has ${t} tokens; the model reads at most ${bot.maxTokens}`);
      const outside = tokenWords.findIndex((w) => w !== null && w >= n);
      if (outside >= 0) return misfit(`extra.tokenWords[${outside}] names word ${tokenWords[outside]}, but the message has ${n} words`);
      extra.tokens = fitTokens(tokens, tokenWords, words);
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
    return { ok: true, explanation: { ...fitted, extra } };
  }
  case 'rollout': {
    const rolled = fitted.extra.tokenRollout?.length ?? 0;
    if (rolled > bot.maxTokens) return misfit(`extra.tokenRollout has ${rolled} entries; the model reads at most ${bot.maxTokens} tokens`);
    return { ok: true, explanation: fitted };
  }
  case 'occlusion': {
    const without = fitted.extra.without;
    if (without && without.length !== n) return misfit(`extra.without has ${without.length} entries for ${n} words`);
    return { ok: true, explanation: fitted };
  }
  case 'counterfactual': {
    const extra = { ...fitted.extra };
    const removed = extra.removed ?? [];
    if (new Set(removed).size !== removed.length) return misfit('extra.removed names a word twice');
    const outside = removed.find((i) => i >= n);
    if (outside !== undefined) return misfit(`extra.removed names word ${outside}, but the message has ${n} words`);
    extra.removedWords = removed.map((i) => words[i]!.text);
    extra.text = removeWords(storedText, words, removed);
    const label = labelProblem(extra, bot);
    if (typeof label === 'string') return misfit(label);
    return { ok: true, explanation: { ...fitted, extra: { ...extra, ...label } } };
  }
  case 'similar': {
    const neighbours = fitted.extra.neighbours ?? [];
    if (neighbours.length > 0 && !bot.similarQuestions) return misfit(`the ${bot.botId} model has no similar-questions index`);
    const stranger = neighbours.findIndex((neighbour) => !bot.similarQuestions!.get(neighbour.text)?.has(neighbour.label));
    if (stranger >= 0) return misfit(`extra.neighbours[${stranger}] is not a question of the ${bot.botId} model's similar-questions index with that label`);
    return { ok: true, explanation: fitted };
  }
  case 'lime':
    return { ok: true, explanation: fitted };
  }
}

/** Why the posted words are not the stored message's, or null when they fit. */
function misfitWord(posted: readonly WordSpan[], words: readonly WordSpan[], storedText: string): string | null {
  if (posted.length !== words.length) return `words: ${posted.length} words posted, but the message has ${words.length}`;
  for (let i = 0; i < words.length; i++) {
  const word = posted[i]!;
  const stored = words[i]!;
  if (word.start !== stored.start || word.end !== stored.end) {
    return `words[${i}] spans ${word.start}–${word.end}, but the message's word ${i} spans ${stored.start}–${stored.end}`;
  }
  if (word.text.length !== stored.end - stored.start) return `words[${i}].text is not the message's word ${i}`;
  for (let c = 0; c < word.text.length; c++) {
    const kept = storedText[stored.start + c];
    if (kept !== MASK && kept !== word.text[c]) return `words[${i}].text is not the message's word ${i}`;
  }
  }
  return null;
}

/**
 * Token strings the server can stand behind: a special token, or a piece of its word as stored
 * (lower case, accents removed, as WordPiece sees it). Any other token, a piece of a masked
 * card number included, becomes mask characters of its length.
 */
function fitTokens(tokens: readonly string[], tokenWords: readonly (number | null)[], words: readonly WordSpan[]): string[] {
  const normalised = new Map<number, string>();
  return tokens.map((token, i) => {
  if (SPECIAL_TOKENS.includes(token)) return token;
  const word = tokenWords[i];
  const piece = token.startsWith('##') ? token.slice(2) : token;
  if (word !== null && word !== undefined && piece.length > 0) {
    if (!normalised.has(word)) normalised.set(word, normalizeForTokens(words[word]!.text));
    if (!piece.includes(MASK) && normalised.get(word)!.includes(piece)) return token;
  }
  return (token.startsWith('##') ? '##' : '') + MASK.repeat(Math.max(1, piece.length));
  });
}

/** The counterfactual's new label checked against the model (its index derived from it), or what is wrong. */
function labelProblem(extra: { newIndex?: number; newLabel?: string }, bot: BotFacts): { newIndex?: number; newLabel?: string } | string {
  if (extra.newLabel !== undefined) {
  const index = bot.labelIndex.get(extra.newLabel);
  return index === undefined ? `extra.newLabel "${extra.newLabel}" is not a label of the ${bot.botId} model` : { newIndex: index, newLabel: extra.newLabel };
  }
  if (extra.newIndex !== undefined) {
  const label = bot.labels[extra.newIndex];
  return label === undefined ? `extra.newIndex ${extra.newIndex} is not a class of the ${bot.botId} model` : { newIndex: extra.newIndex, newLabel: label };
  }
  return {};
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
