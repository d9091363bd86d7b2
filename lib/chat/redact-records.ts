import { redact, type RedactionOptions } from '@/lib/bot/redact';
import { removeWords } from '@/lib/explain/perturb';
import type { ExplanationRecord, TurnRecord } from './records';

/** The visitor's message with personal data masked; the bot's own reply carries none. */
export function redactTurn(turn: TurnRecord, options?: RedactionOptions): TurnRecord {
  const { text } = redact(turn.user.text, options);
  return text === turn.user.text ? turn : { ...turn, user: { ...turn.user, text } };
}

/**
 * An explanation with personal data masked wherever the visitor's words appear in it. The
 * words are redacted in their sentence (a card number spans several words), and since
 * redaction keeps every position, spans, scores and token alignment stay as they were.
 */
export function redactExplanation(explanation: ExplanationRecord, options?: RedactionOptions): ExplanationRecord {
  const { words } = explanation;
  if (words.length === 0) return explanation;
  const length = Math.max(...words.map((w) => w.end));
  const chars = Array.from({ length }, () => ' ');
  for (const word of words) for (let i = 0; i < word.text.length; i++) chars[word.start + i] = word.text[i]!;
  const original = chars.join('');
  const { text: redacted, redactions } = redact(original, options);
  if (redactions.length === 0) return explanation;

  const redactedWords = words.map((word) => ({ ...word, text: redacted.slice(word.start, word.end) }));
  const changed = redactedWords.map((word, i) => word.text !== words[i]!.text);
  const extra = { ...explanation.extra };
  if (Array.isArray(extra.tokens) && Array.isArray(extra.tokenWords)) {
    const tokenWords = extra.tokenWords as (number | null)[];
    extra.tokens = (extra.tokens as string[]).map((token, i) => {
      const word = tokenWords[i];
      return word !== null && word !== undefined && changed[word] ? token.replace(/[\p{L}\p{N}]/gu, '•') : token;
    });
  }
  if (Array.isArray(extra.removed) && Array.isArray(extra.removedWords)) {
    extra.removedWords = (extra.removed as number[]).map((index, i) => redactedWords[index]?.text ?? (extra.removedWords as string[])[i]);
  }
  if (typeof extra.text === 'string' && Array.isArray(extra.removed)) {
    // The counterfactual's text is the visitor's words less the removed ones: rebuild it from
    // the redacted words (or, should its spacing differ, redact it on its own).
    const removed = extra.removed as number[];
    extra.text =
      removeWords(original, words, removed) === extra.text ? removeWords(redacted, redactedWords, removed) : redact(extra.text, options).text;
  }
  return { ...explanation, words: redactedWords, extra };
}
