import { describe, expect, it } from 'vitest';
import { explanationSchema } from '@/lib/chat/records';
import { redactExplanation } from '@/lib/chat/redact-records';
import { wordSpans } from '@/lib/model/spans';

const text = 'my card 4111 1111 1111 1111 never arrived';
const words = wordSpans(text);

function explanation(method: 'attention' | 'counterfactual', extra: Record<string, unknown>, scores: number[] | null) {
  return explanationSchema.parse({
    method,
    version: 1,
    target: { index: 0, label: 'card_arrival', probability: 0.9 },
    settings: {},
    words,
    scores,
    extra,
    timing: { ms: 1, forwardPasses: 1 },
  });
}

describe('redacting explanations', () => {
  it('masks a card number spread over several words, keeping spans and scores', () => {
    const scores = words.map((_, i) => i / 10);
    const redacted = redactExplanation(explanation('attention', { tokens: ['[CLS]', 'my', 'card', '41', '##11', '[SEP]'], tokenWords: [null, 0, 1, 2, 2, null] }, scores));
    expect(redacted.words.map((w) => w.text)).toEqual(['my', 'card', '••••', '••••', '••••', '1111', 'never', 'arrived']);
    expect(redacted.words.map((w) => [w.start, w.end])).toEqual(words.map((w) => [w.start, w.end]));
    expect(redacted.scores).toEqual(scores);
    expect(redacted.extra.tokens).toEqual(['[CLS]', 'my', 'card', '••', '##••', '[SEP]']);
  });

  it("masks the counterfactual's words and text", () => {
    const redacted = redactExplanation(
      explanation('counterfactual', { found: true, removed: [2, 7], removedWords: ['4111', 'arrived'], text: 'my card 1111 1111 1111 never', newIndex: 1, newLabel: 'x', newProbability: 0.5 }, null),
    );
    expect(redacted.extra.removedWords).toEqual(['••••', 'arrived']);
    expect(redacted.extra.text).toBe('my card •••• •••• 1111 never');
  });

  it('leaves explanations without personal data untouched', () => {
    const clean = explanationSchema.parse({ ...explanation('attention', {}, null), words: wordSpans('where is my card') });
    expect(redactExplanation(clean)).toBe(clean);
  });
});
