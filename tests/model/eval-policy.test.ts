import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { readLabelledFile } from '@/lib/admin/labelled-file';
import { evaluate, policyFigures, type PolicyRow } from '../../training/eval';
import { classifierFacts, probabilitiesFor } from '../support/turns';
import { demoModel, repo } from './helpers';

/** Banking questions, out-of-scope questions, and both in scripts the English demo model never saw: written for this test. */
const FIXTURE = path.join(repo, 'tests', 'fixtures', 'eval-policy.csv');

describe('the policy figures of `npm run eval`', () => {
  const data = readLabelledFile(FIXTURE);
  const facts = classifierFacts();

  it('count out-of-scope recall and in-scope false rejection over readable rows, and unreadable rows apart', () => {
    // What the model "said" for each row, chosen so every branch of the policy is taken:
    const said: Record<string, [intent: string, confidence: number]> = {
      'How long does a bank transfer take?': ['transfer_timing', 0.3], // in scope, unsure: a false rejection
      'what is the weather in Paris tomorrow?': ['oos', 0.9], // caught as out of scope
      'tell me a joke about penguins': ['oos', 0.9],
      'how do I bake sourdough bread': ['oos', 0.9],
      'who won the football match last night': ['card_arrival', 0.9], // missed: answered
      'recommend a good film for tonight': ['card_arrival', 0.35], // caught as unsure
      '我的卡丢了怎么办': ['oos', 0.98], // unreadable whatever the model says
      '明日の天気はどうですか': ['card_arrival', 0.9],
    };
    const rows: PolicyRow[] = data.texts.map((text, i) => {
      const label = data.labels[i]!;
      const [intent, confidence] = said[text] ?? [label, 0.9];
      return { text, outOfScope: label === 'oos', probabilities: probabilitiesFor(facts.labels, intent, confidence) };
    });
    const figures = policyFigures(rows, { labels: facts.labels, thresholds: { outOfScope: 0.5, ambiguityMargin: 0.05 }, outOfScopeLabel: facts.outOfScopeLabel, characters: facts.characters });
    expect(data.texts).toHaveLength(21);
    expect(figures.unreadable).toEqual({ rows: 6, inScope: 4, outOfScope: 2 });
    expect(figures.outOfScopeRecall).toEqual({ count: 4, of: 5, rate: 0.8 });
    expect(figures.inScopeFalseRejection).toEqual({ count: 1, of: 10, rate: 0.1 });
    expect(figures.outOfScopePrecision).toEqual({ count: 4, of: 5, rate: 0.8 });
    expect(figures.decisions).toEqual({ answer: 10, clarify: 0, handoff: 5, unreadable: 6 });
  });

  it('without unreadable rows or out-of-scope rows, a figure has nothing to count (no division by zero)', () => {
    const figures = policyFigures([], { labels: facts.labels, thresholds: { outOfScope: 0.5, ambiguityMargin: 0.05 }, outOfScopeLabel: facts.outOfScopeLabel, characters: facts.characters });
    expect(figures.outOfScopeRecall).toEqual({ count: 0, of: 0, rate: NaN });
    expect(figures.unreadable).toEqual({ rows: 0, inScope: 0, outOfScope: 0 });
  });

  it('evaluate() runs the demo model under its card’s policy and leaves the unreadable rows out of the out-of-scope figures', async () => {
    const r = await evaluate(demoModel, FIXTURE, { batchSize: 8 });
    expect(r.rows).toBe(21);
    expect(r.policy.unreadable).toEqual({ rows: 6, inScope: 4, outOfScope: 2 });
    expect(r.policy.decisions.unreadable).toBe(6);
    expect(Object.values(r.policy.decisions).reduce((a, b) => a + b, 0)).toBe(21);
    expect(r.policy.outOfScopeRecall.of).toBe(5);
    expect(r.policy.inScopeFalseRejection.of).toBe(10);
    expect(r.policy.thresholds).toEqual(classifierFacts().thresholds);
    // The demo model answers these plain banking questions and hands off most of the chit-chat.
    expect(r.policy.inScopeFalseRejection.count).toBeLessThanOrEqual(2);
    expect(r.policy.outOfScopeRecall.count).toBeGreaterThanOrEqual(3);
    expect(r.outOfScope).toMatchObject({ rows: 5, recall: r.policy.outOfScopeRecall.rate, threshold: r.policy.thresholds.outOfScope });
  });
});
