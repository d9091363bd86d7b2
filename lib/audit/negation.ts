// Negation: the message with its first negatable phrase negated from the language's list ("I
// want to cancel my transfer" → "I don't want to cancel my transfer", "我要退款" → "我不要退款").
// A negated message may rightly get another answer, so the audit reports how often it does and
// how far p moves, and passes no judgement.
import type { WordLists } from './lists';
import { inCaseOf, normalisePhrase, phrasePattern } from './perturbations';

/** The message with the earliest phrase of the list negated (the longest of those starting there), or null when it has none. */
export function negate(text: string, lists: WordLists | null): string | null {
  if (!lists?.negations) return null;
  const spaced = lists.wordSeparator === ' ';
  const table = new Map(lists.negations.map(([phrase, negated]) => [normalisePhrase(phrase), negated]));
  const pattern = phrasePattern(lists.negations.map(([phrase]) => phrase), spaced);
  const markers = lists.negationMarkers ?? [];
  for (const match of text.matchAll(pattern)) {
    const before = text.slice(0, match.index);
    if (markers.some((marker) => before.endsWith(marker))) continue;
    const negated = table.get(normalisePhrase(match[0]));
    if (negated === undefined) continue;
    return before + inCaseOf(match[0], negated) + text.slice(match.index + match[0].length);
  }
  return null;
}
