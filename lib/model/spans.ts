// Maps WordPiece tokens back to the characters and words the user typed.
//
// transformers.js does not return offsets, so we replay its BertNormalizer +
// BertPreTokenizer on the original string while remembering where every
// pre-token came from. Each pre-token becomes one or more WordPiece tokens: the
// first has no "##" prefix (or is [UNK]), the rest do, which lets us align the
// model's tokens with the pre-tokens by walking both lists.
import type { Span, TokenInfo, WordSpan } from './types';

/** The tokenizer's special tokens: they stand for no characters of the text. */
export const SPECIAL_TOKENS: readonly string[] = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const SPECIAL = SPECIAL_TOKENS;
const PUNCT = /^[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]$/u;
const CONTROL = /^(\p{Cc}|\p{Cf}|\p{Co}|\p{Cs})$/u;
const WHITESPACE = /^\s$/u;

function isChinese(ch: string): boolean {
  // Same test as transformers.js: one UTF-16 code unit, so astral characters never match.
  if (ch.length !== 1) return false;
  const cp = ch.charCodeAt(0);
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff);
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

/** Words as typed: maximal runs of non-whitespace characters. */
export function wordSpans(text: string): WordSpan[] {
  const words: WordSpan[] = [];
  for (const m of text.matchAll(/\S+/gu)) {
    const start = m.index ?? 0;
    words.push({ text: m[0], start, end: start + m[0].length });
  }
  return words;
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
    if (cp === 0 || cp === 0xfffd || (ch !== '\t' && ch !== '\n' && ch !== '\r' && CONTROL.test(ch))) continue;
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
 * Aligns the model's tokens ([CLS] text [SEP], or the first tokens of it when the
 * text was truncated) with the original text.
 */
export function alignTokens(text: string, ids: number[], tokens: string[], truncated: boolean): { tokens: TokenInfo[]; words: WordSpan[] } {
  const words = wordSpans(text);
  const pre = preTokenSpans(text);
  const wordOf = (pos: number) => {
    for (let w = 0; w < words.length; w++) if (pos >= words[w].start && pos < words[w].end) return w;
    return null;
  };
  const out: TokenInfo[] = [];
  let p = -1;
  for (let k = 0; k < ids.length; k++) {
    const token = tokens[k];
    if (k === 0 || (!truncated && k === ids.length - 1)) {
      out.push({ id: ids[k], token, span: null, word: null, special: true });
      continue;
    }
    // A piece without the "##" prefix starts the next pre-token.
    if (!token.startsWith('##')) p++;
    const span = p < pre.length ? pre[p] : null;
    out.push({ id: ids[k], token, span: span ? { ...span } : null, word: span ? wordOf(span.start) : null, special: SPECIAL.includes(token) });
  }
  return { tokens: out, words };
}
