// Which stored messages are "the same question" for the replay's list of flipped messages: the
// same words once case, punctuation, whitespace and masked personal data are set aside. Two
// customers asking "Where is my card?" and "where is my card" are one group; so are two who
// wrote different e-mail addresses, since both are stored masked (lib/bot/redact.ts).
import { MASK } from '@/lib/bot/redact';

/** Stands for one stretch of masked personal data in a grouping key (a private-use character no text holds). */
const MASKED = '\uE000';
const PUNCTUATION_OR_SYMBOL = /[\p{P}\p{S}]+/gu;

/** The most characters of a message a key is made from: a grouping key stays small whatever was stored. */
const MAX_KEY_SOURCE = 2000;

/** ASCII characters of an address, number or code that the redaction leaves glued to its mask (an e-mail's dots and domain, a phone's "+"). */
const isGlue = (ch: string): boolean => /[a-z0-9._%+@-]/.test(ch);
const isDigitOrMask = (ch: string): boolean => ch === MASK || (ch >= '0' && ch <= '9');

/**
 * `text` with each masked stretch replaced by one MASKED marker: the mask characters, the ASCII
 * glued to them, and the digit groups that follow across spaces or dashes (a card's kept last
 * digits). One pass: each character is looked at a bounded number of times.
 */
function markMasked(text: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const mask = text.indexOf(MASK, from);
    if (mask < 0) return out + text.slice(from);
    let start = mask;
    while (start > from && isGlue(text[start - 1]!)) start--;
    let end = mask;
    while (end < text.length && (text[end] === MASK || isGlue(text[end]!))) end++;
    for (;;) {
      let next = end;
      while (next < text.length && (text[next] === '-' || /\s/u.test(text[next]!))) next++;
      if (next === end || next >= text.length || !isDigitOrMask(text[next]!)) break;
      let stop = next;
      while (stop < text.length && isDigitOrMask(text[stop]!)) stop++;
      if (stop < text.length && /[a-z]/.test(text[stop]!)) break;
      end = stop;
    }
    out += `${text.slice(from, start)} ${MASKED} `;
    from = end;
  }
}

/** The key two messages share when they are the same question (see the file's comment). Linear in the text's length. */
export function normalizeForGrouping(text: string): string {
  const words = markMasked(text.slice(0, MAX_KEY_SOURCE).normalize('NFKC').toLowerCase())
    .replace(PUNCTUATION_OR_SYMBOL, ' ')
    .split(/\s+/u);
  const kept: string[] = [];
  for (const word of words) {
    if (word === '' || (word === MASKED && kept[kept.length - 1] === MASKED)) continue;
    kept.push(word);
  }
  return kept.join(' ');
}
