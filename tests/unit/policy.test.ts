import { describe, expect, it } from 'vitest';
import { decide, ranked } from '@/lib/bot/policy';

const labels = ['card_arrival', 'card_delivery_estimate', 'card_linking', 'oos'];
const thresholds = { outOfScope: 0.4, ambiguityMargin: 0.15 };
const base = { labels, thresholds, outOfScopeLabel: 'oos' };

describe('dialogue policy', () => {
  it('answers when one intent clearly wins', () => {
    expect(decide({ ...base, probabilities: [0.8, 0.1, 0.05, 0.05] })).toEqual({ kind: 'answer', intent: 'card_arrival', confidence: 0.8 });
  });

  it('hands off when the out-of-scope class wins, whatever the margin', () => {
    expect(decide({ ...base, probabilities: [0.2, 0.05, 0.05, 0.7] })).toMatchObject({ kind: 'handoff', reason: 'out_of_scope', intent: 'oos' });
  });

  it('hands off as unsure when no intent reaches the threshold and none is close to the best', () => {
    expect(decide({ ...base, probabilities: [0.38, 0.2, 0.1, 0.32] })).toMatchObject({ kind: 'handoff', reason: 'unsure', intent: 'card_arrival' });
  });

  it('asks rather than hands off when close intents together reach the threshold ("refund")', () => {
    const refund = decide({ ...base, probabilities: [0.35, 0.3, 0.2, 0.15] });
    expect(refund).toMatchObject({ kind: 'clarify', intent: 'card_arrival', confidence: 0.35 });
    expect(refund.kind === 'clarify' && refund.options.map((option) => option.intent)).toEqual(['card_arrival', 'card_delivery_estimate', 'card_linking']);
    // Six intents, none reaching the threshold alone: the (at most three) closest together decide.
    const six = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(decide({ labels: six, thresholds, outOfScopeLabel: null, probabilities: [0.13, 0.12, 0.12, 0.21, 0.21, 0.21] })).toMatchObject({ kind: 'clarify' });
    expect(decide({ labels: six, thresholds, outOfScopeLabel: null, probabilities: [0.17, 0.17, 0.17, 0.17, 0.16, 0.16] }).kind).toBe('clarify');
    expect(decide({ labels: six, thresholds: { outOfScope: 0.6, ambiguityMargin: 0.15 }, outOfScopeLabel: null, probabilities: [0.17, 0.17, 0.17, 0.17, 0.16, 0.16] })).toMatchObject({ kind: 'handoff', reason: 'unsure' });
  });

  it('asks to clarify between the intents within the margin, most probable first', () => {
    const decision = decide({ ...base, probabilities: [0.45, 0.5, 0.03, 0.02] });
    expect(decision).toEqual({
      kind: 'clarify',
      intent: 'card_delivery_estimate',
      confidence: 0.5,
      options: [
        { intent: 'card_delivery_estimate', probability: 0.5 },
        { intent: 'card_arrival', probability: 0.45 },
      ],
    });
  });

  it('does not let the out-of-scope class make a message ambiguous', () => {
    const decision = decide({ ...base, probabilities: [0.42, 0.0, 0.0, 0.38] });
    expect(decision.kind).toBe('answer');
  });

  it('works for models without an out-of-scope class', () => {
    expect(decide({ labels: ['a', 'b'], probabilities: [0.9, 0.1], thresholds, outOfScopeLabel: null })).toMatchObject({ kind: 'answer', intent: 'a' });
  });

  describe('at the thresholds', () => {
    // Powers of two, so every difference below is exact in floating point.
    const exact = { labels, thresholds: { outOfScope: 0.5, ambiguityMargin: 0.25 }, outOfScopeLabel: 'oos' };

    it('answers when the runner-up is exactly the margin behind (only a closer one is ambiguous)', () => {
      expect(decide({ ...exact, probabilities: [0.625, 0.375, 0, 0] })).toEqual({ kind: 'answer', intent: 'card_arrival', confidence: 0.625 });
    });

    it('asks to clarify when the runner-up is just inside the margin', () => {
      expect(decide({ ...exact, probabilities: [0.62, 0.38, 0, 0] })).toMatchObject({
        kind: 'clarify',
        options: [
          { intent: 'card_arrival', probability: 0.62 },
          { intent: 'card_delivery_estimate', probability: 0.38 },
        ],
      });
    });

    it('answers when the runner-up is well outside the margin', () => {
      expect(decide({ ...exact, probabilities: [0.7, 0.3, 0, 0] }).kind).toBe('answer');
      expect(decide({ ...exact, probabilities: [0.74, 0.26, 0, 0] }).kind).toBe('answer');
    });

    it('offers only the intents strictly within the margin', () => {
      expect(decide({ ...exact, probabilities: [0.5, 0.375, 0.25, 0] })).toEqual({
        kind: 'clarify',
        intent: 'card_arrival',
        confidence: 0.5,
        options: [
          { intent: 'card_arrival', probability: 0.5 },
          { intent: 'card_delivery_estimate', probability: 0.375 },
        ],
      });
    });

    it('answers when the top intent is exactly at the out-of-scope threshold', () => {
      expect(decide({ ...exact, probabilities: [0.5, 0.125, 0.125, 0.25] })).toEqual({ kind: 'answer', intent: 'card_arrival', confidence: 0.5 });
    });

    it('hands off as unsure just below the out-of-scope threshold', () => {
      expect(decide({ ...exact, probabilities: [0.49, 0.2, 0.16, 0.15] })).toEqual({ kind: 'handoff', intent: 'card_arrival', confidence: 0.49, reason: 'unsure' });
    });

    it('takes both thresholds from its input, not from constants', () => {
      const probabilities = [0.6, 0.3, 0.05, 0.05];
      expect(decide({ ...exact, probabilities }).kind).toBe('answer');
      expect(decide({ ...exact, thresholds: { outOfScope: 0.5, ambiguityMargin: 0.4 }, probabilities }).kind).toBe('clarify');
      expect(decide({ ...exact, thresholds: { outOfScope: 0.7, ambiguityMargin: 0.25 }, probabilities })).toMatchObject({ kind: 'handoff', reason: 'unsure' });
    });
  });

  it('ranks labels by probability and refuses mismatched lengths', () => {
    expect(ranked(['a', 'b', 'c'], [0.2, 0.5, 0.3]).map((r) => r.intent)).toEqual(['b', 'c', 'a']);
    expect(() => ranked(['a'], [0.5, 0.5])).toThrow();
  });
});
