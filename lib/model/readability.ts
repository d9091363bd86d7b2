// Whether the model can read a message at all: the one home of the rule, shared by the
// browser (before the policy decides) and the server (which derives it again to verify).
import type { ModelCard } from './types';
import { scriptProfileOf } from './card';

/**
 * The tokenizer's normalisation, which the training pipeline's character profile was taken
 * after: lower-case, canonical decomposition, combining marks removed ("É" → "e").
 */
export function normaliseForReading(text: string): string {
  return text.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
}

/** The characters a model has seen in training, as a set for quick look-ups. */
export type ReadingAlphabet = ReadonlySet<string>;

/** Fewer letters than this say too little about the script to call a message unreadable. */
export const MIN_LETTERS = 2;

/**
 * The alphabet of a model whose card records no script profile (cards written before it):
 * the single-character entries of its WordPiece vocabulary (and their `##` continuations),
 * which hold every character the tokenizer saw in training.
 */
export function vocabularyAlphabet(tokens: Iterable<string>): string {
  const characters = new Set<string>();
  for (const token of tokens) {
    const piece = token.startsWith('##') ? token.slice(2) : token;
    const points = Array.from(piece);
    if (points.length === 1) characters.add(normaliseForReading(points[0]!));
  }
  return [...characters].join('');
}

/**
 * Every distinct letter or digit of `texts` after the tokenizer's normalisation, sorted by code
 * point: the training pipeline's `script_profile.characters` of those texts.
 */
export function charactersOf(texts: Iterable<string>): string {
  const characters = new Set<string>();
  for (const text of texts) for (const character of normaliseForReading(text)) if (/[\p{L}\p{N}]/u.test(character)) characters.add(character);
  return [...characters].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!).join('');
}

/**
 * The characters of a model's training texts: the card's script profile when it has one, else
 * the tokenizer vocabulary's alphabet (`vocabulary`: the vocabulary's tokens, read lazily, since
 * a card with a profile does not need them).
 */
export function trainingCharacters(card: Pick<ModelCard, 'raw'> | null, vocabulary: () => Iterable<string>): string {
  const profile = card ? scriptProfileOf(card) : null;
  return profile ? profile.characters : vocabularyAlphabet(vocabulary());
}

let lastCharacters: string | null = null;
let lastAlphabet: ReadingAlphabet = new Set();

/** The set of `characters` (memoised for the last string: a bot's alphabet is asked for on every message). */
export function alphabetOf(characters: string): ReadingAlphabet {
  if (characters !== lastCharacters) {
    lastAlphabet = new Set(Array.from(normaliseForReading(characters)));
    lastCharacters = characters;
  }
  return lastAlphabet;
}

/**
 * The rule: a message is unreadable when, after the tokenizer's normalisation, it has at least
 * `MIN_LETTERS` letters and more than half of them never occurred in the training texts
 * (`characters`). Digits, punctuation, emoji and spaces do not count either way, so "ok", "42"
 * and "👍" are read; "我的卡丢了怎么办" is not, by a model trained on English. One pass, no
 * allocation per character beyond the normalised copy.
 */
export function isUnreadable(text: string, characters: string): boolean {
  const alphabet = alphabetOf(characters);
  let letters = 0;
  let unknown = 0;
  for (const character of normaliseForReading(text)) {
    if (!/\p{L}/u.test(character)) continue;
    letters++;
    if (!alphabet.has(character)) unknown++;
  }
  return letters >= MIN_LETTERS && unknown * 2 > letters;
}
