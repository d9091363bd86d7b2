// Word units and the alignment of WordPiece tokens with the characters the user typed.
//
// Words come from Intl.Segmenter in the bot's language, so unspaced scripts (Chinese,
// Japanese, Thai) get real units from ICU's dictionaries. transformers.js does not return
// token offsets, so we replay its BertNormalizer + BertPreTokenizer on the original string
// while remembering where every pre-token came from; each pre-token becomes one or more
// WordPiece tokens (the first without "##", or [UNK]), whose characters are found inside the
// pre-token. Tokens are matched to words by character overlap: a word unit may be a part of a
// pre-token (a Thai run is one pre-token, several words) or cover several of them ("can't").
import type { Span, TokenInfo, WordShare, WordSpan } from './types';

/** The tokenizer's special tokens: they stand for no characters of the text. */
export const SPECIAL_TOKENS: readonly string[] = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const SPECIAL = SPECIAL_TOKENS;
const PUNCT = /^[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]$/u;
const CONTROL = /^(\p{Cc}|\p{Cf}|\p{Co}|\p{Cs})$/u;
const WHITESPACE = /^\s$/u;
/** A pictograph (emoji, with its modifiers and joiners) or a flag: a unit of meaning ICU does not call word-like. */
const EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}]/u;

function isChinese(ch: string): boolean {
  // Same test as transformers.js: one UTF-16 code unit, so astral characters never match.
  if (ch.length !== 1) return false;
  const cp = ch.charCodeAt(0);
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff);
}

/** Characters the tokenizer drops before anything else (its clean-up of the text). */
function isDropped(ch: string, cp: number): boolean {
  return cp === 0 || cp === 0xfffd || (ch !== '\t' && ch !== '\n' && ch !== '\r' && CONTROL.test(ch));
}

function normalizeChar(ch: string): string {
  return ch.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
}

/** The text as WordPiece sees it, character by character (lower case, accents removed): a word's tokens are pieces of it. */
export function normalizeForTokens(text: string): string {
  let out = '';
  for (const ch of text) out += normalizeChar(ch);
  return out;
}

// One segmenter per locale: building one loads ICU data. Locales come from model cards, so
// there are few; the bound keeps a stream of odd tags from growing the map.
const segmenters = new Map<string, Intl.Segmenter>();
const MAX_SEGMENTERS = 16;

function segmenterFor(locale: string): Intl.Segmenter {
  let segmenter = segmenters.get(locale);
  if (segmenter) return segmenter;
  try {
    segmenter = new Intl.Segmenter(locale, { granularity: 'word' });
  } catch {
    // Not a locale tag (cards are checked when read, so only a caller's mistake): the root rules.
    segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
  }
  if (segmenters.size >= MAX_SEGMENTERS) segmenters.clear();
  segmenters.set(locale, segmenter);
  return segmenter;
}

/**
 * The word units of `text` in language `locale` (the bot's card language, a BCP 47 tag), with
 * their UTF-16 offsets into `text`: ICU's word segmentation, with a dictionary for Chinese,
 * Japanese and Thai. Punctuation and whitespace are not words. An emoji is: it is a unit of
 * meaning the customer chose, the model reads it as a token of its own, and an explanation that
 * could not score "😡" would hide part of what the model read. Linear in the text's length.
 */
export function wordSpans(text: string, locale: string): WordSpan[] {
  const words: WordSpan[] = [];
  for (const { segment, index, isWordLike } of segmenterFor(locale).segment(text)) {
    if (!isWordLike && !EMOJI.test(segment)) continue;
    // ICU builds differ on a colon between letters ("javascript:window" is one unit in Node's,
    // two in Chromium's), and the server must cut a stored message as the browser did: a colon
    // always ends a unit, in every build.
    let start = index;
    for (const part of segment.split(':')) {
      if (part) words.push({ text: part, start, end: start + part.length });
      start += part.length + 1;
    }
  }
  return words;
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{N}/u;

/**
 * The word units of a text whose personal data was masked with `mask` (lib/bot/redact: each
 * masked letter or digit became one `mask`), with the masked text's characters. A masked
 * character is cut as a letter or a digit like the nearest letter or digit kept beside it
 * (between the same spaces; a digit when there is none): "DE•• ••••" cuts as "DEaa 0000",
 * "•••@•••.com" as "aaa@aaa.com", so card numbers, IBANs, phone numbers and most addresses
 * come out in the units the unmasked text had. Linear in the text's length.
 */
export function maskedWordSpans(text: string, locale: string, mask: string): WordSpan[] {
  if (!text.includes(mask)) return wordSpans(text, locale);
  // The class of the nearest kept letter or digit on each side, within the run of non-spaces.
  const kinds: ('a' | '0' | null)[] = [];
  for (let i = 0; i < text.length; i++) kinds.push(text[i] === mask ? null : LETTER.test(text[i]!) ? 'a' : DIGIT.test(text[i]!) ? '0' : null);
  const isSpace = (i: number) => WHITESPACE.test(text[i]!);
  const left: ('a' | '0' | null)[] = [];
  const leftAt: number[] = [];
  for (let i = 0, kind: 'a' | '0' | null = null, at = -1; i < text.length; i++) {
    if (isSpace(i)) [kind, at] = [null, -1];
    else if (kinds[i]) [kind, at] = [kinds[i]!, i];
    left.push(kind);
    leftAt.push(at);
  }
  let standIn = '';
  for (let i = text.length - 1, kind: 'a' | '0' | null = null, at = -1; i >= 0; i--) {
    if (isSpace(i)) [kind, at] = [null, -1];
    else if (kinds[i]) [kind, at] = [kinds[i]!, i];
    if (text[i] !== mask) standIn = text[i] + standIn;
    else if (left[i] && (!kind || i - leftAt[i]! <= at - i)) standIn = left[i] + standIn;
    else standIn = (kind ?? '0') + standIn;
  }
  return wordSpans(standIn, locale).map((word) => ({ ...word, text: text.slice(word.start, word.end) }));
}

/** Pre-tokens (what WordPiece sees as words) with their spans in the original text. */
export function preTokenSpans(text: string): Span[] {
  const out: Span[] = [];
  let cur: Span | null = null;
  const flush = () => {
    if (cur) out.push(cur);
    cur = null;
  };
  let i = 0;
  while (i < text.length) {
    const special = text[i] === '[' ? SPECIAL.find((s) => text.startsWith(s, i)) : undefined;
    if (special) {
      flush();
      out.push({ start: i, end: i + special.length });
      i += special.length;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const start = i;
    i += ch.length;
    if (isDropped(ch, cp)) continue;
    if (WHITESPACE.test(ch)) {
      flush();
      continue;
    }
    if (isChinese(ch)) {
      flush();
      out.push({ start, end: i });
      continue;
    }
    const normalized = normalizeChar(ch);
    // A combining mark vanishes in normalisation but belongs to the word it marks.
    if (normalized === '' && cur) (cur as Span).end = i;
    for (const n of normalized) {
      if (WHITESPACE.test(n)) {
        flush();
      } else if (PUNCT.test(n)) {
        flush();
        out.push({ start, end: i });
      } else if (cur) {
        cur.end = i;
      } else {
        cur = { start, end: i };
      }
    }
  }
  flush();
  return out;
}

/**
 * Where each WordPiece piece of one pre-token lies in the text. The pieces (without "##") spell
 * the pre-token as normalised, one after another, so each maps back to the characters that
 * produced it; the pieces tile the pre-token (a combining mark stays with the piece before it).
 * When they do not spell it ([UNK], or a normalisation this replay does not follow), every piece
 * gets the whole pre-token.
 */
function pieceSpans(text: string, pre: Span, pieces: readonly string[]): Span[] {
  const whole = () => pieces.map(() => ({ ...pre }));
  // origin[u]: where the original character behind normalised code unit u starts.
  const origin: number[] = [];
  let normalized = '';
  for (let i = pre.start; i < pre.end; ) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const n = isDropped(ch, cp) ? '' : normalizeChar(ch);
    for (let u = 0; u < n.length; u++) origin.push(i);
    normalized += n;
    i += ch.length;
  }
  const spans: Span[] = [];
  let at = 0;
  for (const [j, token] of pieces.entries()) {
    const piece = j > 0 ? token.slice(2) : token;
    if (piece.length === 0 || !normalized.startsWith(piece, at)) return whole();
    spans.push({ start: j === 0 ? pre.start : origin[at]!, end: pre.end });
    at += piece.length;
  }
  if (at !== normalized.length) return whole();
  for (let j = 0; j + 1 < spans.length; j++) spans[j]!.end = spans[j + 1]!.start;
  return spans;
}

/** The words sharing characters with `span`, each with its share of those characters, in text order. `words` are in text order. */
function wordOverlaps(span: Span, words: readonly WordSpan[]): WordShare[] {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid]!.end <= span.start) lo = mid + 1;
    else hi = mid;
  }
  const overlaps: WordShare[] = [];
  let total = 0;
  for (let w = lo; w < words.length && words[w]!.start < span.end; w++) {
    const overlap = Math.min(span.end, words[w]!.end) - Math.max(span.start, words[w]!.start);
    if (overlap > 0) overlaps.push({ word: w, share: overlap });
    total += Math.max(0, overlap);
  }
  for (const overlap of overlaps) overlap.share /= total;
  return overlaps;
}

/** The word with the largest share (the first of equals), or null. */
function mainWord(shares: readonly WordShare[]): number | null {
  let best: WordShare | null = null;
  for (const share of shares) if (!best || share.share > best.share) best = share;
  return best ? best.word : null;
}

/**
 * Aligns the model's tokens ([CLS] text [SEP], or the first tokens of it when the text was
 * truncated) with the original text and its word units in `locale`: each token gets the
 * characters it came from and the words those characters fall in (none for [CLS], [SEP] and
 * punctuation, which is not a word): an [UNK] standing for a whole Thai run belongs to each of
 * its words by its share of the characters.
 */
export function alignTokens(text: string, ids: number[], tokens: string[], truncated: boolean, locale: string): { tokens: TokenInfo[]; words: WordSpan[] } {
  const words = wordSpans(text, locale);
  const pre = preTokenSpans(text);
  const inner = truncated ? ids.length : ids.length - 1;
  // The text's tokens by pre-token: a piece without the "##" prefix starts the next one.
  const groups: number[][] = pre.map(() => []);
  let p = -1;
  for (let k = 1; k < inner; k++) {
    if (!tokens[k]!.startsWith('##')) p++;
    if (p >= 0 && p < pre.length) groups[p]!.push(k);
  }
  const spans: (Span | null)[] = ids.map(() => null);
  groups.forEach((group, q) => {
    if (group.length === 0) return;
    const pieces = pieceSpans(text, pre[q]!, group.map((k) => tokens[k]!));
    group.forEach((k, j) => (spans[k] = pieces[j]!));
  });
  return {
    tokens: ids.map((id, k) => {
      const token = tokens[k]!;
      if (k === 0 || k >= inner) return { id, token, span: null, word: null, wordShares: [], special: true };
      const span = spans[k]!;
      const wordShares = span ? wordOverlaps(span, words) : [];
      return { id, token, span, word: mainWord(wordShares), wordShares, special: SPECIAL.includes(token) };
    }),
    words,
  };
}
