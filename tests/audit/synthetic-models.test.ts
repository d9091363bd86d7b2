// The audit on synthetic models with known behaviour: one that serves a customer only when a
// woman's first name is in the message is flagged (Disparate Impact far below 0.8, names flip
// the answer in over 20 % of pairs); one that ignores names passes (Disparate Impact 1, no
// identity flips, no warning). And a language without word lists is reported, not faked.
import { describe, expect, it } from 'vitest';
import { runAudit, type AuditMessage } from '@/lib/audit/audit';
import type { AuditClassifier } from '@/lib/audit/classifier';
import { loadWordLists } from '@/lib/audit/lists';
import { auditReportSchema, auditSummary, type AuditReport } from '@/lib/audit/report';

const KEYWORDS: Record<string, string[]> = {
  balance: ['balance', 'funds', 'savings'],
  exchange: ['exchange', 'currency', 'rate', 'euros'],
  lost_card: ['card', 'stolen', 'stole', 'lost'],
  transfer: ['transfer', 'send', 'wire', 'payment'],
};
const LABELS = ['balance', 'exchange', 'lost_card', 'oos', 'transfer'];

// Ten messages per intent, most with a phrase the contraction list knows.
const MESSAGES: AuditMessage[] = Object.entries({
  lost_card: [
    'I cannot find my card',
    'I do not know where my card is',
    'it is my card, it was stolen',
    'I am sure my card was stolen yesterday',
    'my card is not in my wallet',
    'what is the way to block my lost card',
    'I have lost my debit card',
    'where is my card, I cannot see it',
    'someone stole my card and I am worried',
    'I did not get my card back from the machine',
  ],
  balance: [
    'what is my balance',
    'I do not understand my balance',
    'it is about my savings balance',
    'I cannot see my funds',
    'I am checking my funds today',
    'how much is in my savings',
    'is my balance correct',
    'I have not seen my balance update',
    'where is the balance of my savings',
    'my funds are not showing',
  ],
  transfer: [
    'I cannot send a payment',
    'I do not see my transfer',
    'it is a wire to my landlord',
    'I am trying to send money abroad',
    'my transfer is not arriving',
    'what is the fee to wire money',
    'I have made a transfer twice',
    'why is my payment pending',
    'I did not receive the wire',
    'can I send a transfer now',
  ],
  exchange: [
    'what is the exchange rate',
    'I cannot exchange my currency',
    'I do not like this rate',
    'it is about the currency fee',
    'I am buying euros',
    'where is the best rate for euros',
    'I have euros to exchange',
    'is the currency rate fixed',
    'my exchange is not done',
    'I did not get the rate I wanted',
  ],
}).flatMap(([label, texts]) => texts.map((text) => ({ text, label })));

/** Edit distance of at most one (a typo), or a keyword the word starts with. */
function near(word: string, keyword: string): boolean {
  if (word.startsWith(keyword)) return true;
  if (Math.abs(word.length - keyword.length) > 1 || keyword.length < 4) return word === keyword;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < word.length && j < keyword.length) {
    if (word[i] === keyword[j]) [i, j] = [i + 1, j + 1];
    else {
      if (++edits > 1) return false;
      if (word.length > keyword.length) i++;
      else if (word.length < keyword.length) j++;
      else [i, j] = [i + 1, j + 1];
    }
  }
  return edits + (word.length - i) + (keyword.length - j) <= 1;
}

const words = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}'’-]+/u).filter(Boolean);

/** p = 0.9 for the intent with the most keywords (out of scope when none), the rest spread evenly. */
function keywordProbabilities(text: string, serve: boolean): number[] {
  const hits = LABELS.map((label) => (KEYWORDS[label] ?? []).reduce((n, keyword) => n + words(text).filter((word) => near(word, keyword)).length, 0));
  const best = Math.max(...hits);
  const top = best > 0 && serve ? hits.indexOf(best) : LABELS.indexOf('oos');
  return LABELS.map((_, i) => (i === top ? 0.9 : 0.1 / (LABELS.length - 1)));
}

const femaleNames = new Set(loadWordLists('en').lists!.names!.filter((name) => name.gender === 'female').map((name) => name.name.toLowerCase()));

function classifier(serve: (text: string) => boolean, language = 'en'): AuditClassifier {
  return {
    labels: LABELS,
    outOfScopeLabel: 'oos',
    thresholds: { outOfScope: 0.5, ambiguityMargin: 0.2 },
    language,
    predict: async (texts) => texts.map((text) => keywordProbabilities(text, serve(text))),
  };
}

const audit = (model: AuditClassifier): Promise<AuditReport> =>
  runAudit(
    { classifier: model, model: { name: 'synthetic', version: '1' }, botId: null, data: { source: 'file', messages: MESSAGES } },
    { messages: 40, explanationMessages: 6, resamples: 400 },
  );

describe('the audit on synthetic models', () => {
  it('flags a model that serves a customer only when a woman’s first name is in the message', async () => {
    const report = auditReportSchema.parse(await audit(classifier((text) => words(text).some((word) => femaleNames.has(word)))));
    const gender = report.fairness.find((row) => row.attribute === 'name_gender')!;
    expect(gender.groups.map((group) => [group.group, group.answerRate])).toEqual([
      ['female', 1],
      ['male', 0],
    ]);
    expect(gender.disparateImpact.value).toBe(0);
    expect(gender.disparateImpact.high!).toBeLessThan(0.8);
    expect(gender.fourFifthsViolated).toBe(true);
    expect(gender.equalOpportunityDifference.value).toBe(1);
    expect(report.warnings.some((warning) => warning.kind === 'disparate_impact' && warning.subject === 'name_gender')).toBe(true);
    // Every origin has a woman's and a man's name: origins are answered alike.
    const origin = report.fairness.find((row) => row.attribute === 'name_origin')!;
    expect(origin.disparateImpact.value).toBe(1);
    expect(origin.fourFifthsViolated).toBe(false);

    const names = report.invariance.find((row) => row.type === 'name')!;
    // 6 women's and 6 men's names per message: 36 of the 66 pairs mix them.
    expect(names.flipRate.value).toBeCloseTo(36 / 66, 6);
    expect(names.flipRate.value).toBeGreaterThan(0.2);
    expect(names.warn).toBe(true);
    expect(report.warnings.some((warning) => warning.kind === 'flip_rate' && warning.subject === 'name')).toBe(true);
    expect(report.worstFlips.length).toBeGreaterThan(0);
    expect(report.worstFlips.every((flip) => flip.type === 'name')).toBe(true);
    expect(auditSummary(report).minDisparateImpact).toBe(0);
  });

  it('passes a model that ignores names: Disparate Impact 1, no identity flips, no warning', async () => {
    const report = auditReportSchema.parse(await audit(classifier(() => true)));
    expect(report.fairness.map((row) => row.attribute)).toEqual(['name_gender', 'name_origin', 'pronoun', 'nationality', 'religion', 'age']);
    for (const row of report.fairness) {
      expect(row.disparateImpact.value, row.attribute).toBe(1);
      expect(row.equalOpportunityDifference.value, row.attribute).toBe(0);
      expect(row.fourFifthsViolated).toBe(false);
      for (const group of row.groups) expect(group.answerRate).toBe(1);
    }
    for (const row of report.invariance) expect(row.flipRate.value, row.type).toBe(0);
    expect(report.invariance.map((row) => row.type)).toEqual(['typo', 'case', 'punctuation', 'filler', 'politeness', 'contraction', 'name', 'pronoun', 'nationality', 'religion', 'age']);
    expect(report.invariance.every((row) => row.cases >= 30)).toBe(true);
    expect(report.warnings).toEqual([]);
    expect(report.worstFlips).toEqual([]);
    expect(report.negation!.cases).toBeGreaterThan(0);
    expect(report.explanationRobustness!.cases).toBeGreaterThan(0);
    expect(report.explanationRobustness!.methods).toContain('lime');
    expect(report.data).toMatchObject({ source: 'file', rows: 40, intents: 4, sampled: 40 });
  });

  it('is seeded: the same run gives the same figures', async () => {
    const model = classifier((text) => words(text).some((word) => femaleNames.has(word)));
    const [a, b] = await Promise.all([audit(model), audit(model)]);
    const figures = (report: AuditReport) => ({ ...report, createdAt: '', seconds: 0 });
    expect(figures(a)).toEqual(figures(b));
  });

  it('leaves out messages too long to read, and says how many', async () => {
    const long = { text: `my card ${'and my card '.repeat(500)}`, label: 'lost_card' };
    const report = await runAudit(
      { classifier: classifier(() => true), model: { name: 'synthetic', version: '1' }, botId: null, data: { source: 'file', messages: [...MESSAGES.slice(0, 8), long] } },
      { messages: 9, explanationMessages: 0, resamples: 100 },
    );
    expect(report.data).toMatchObject({ rows: 9, sampled: 8, tooLong: 1 });
  });

  it('reports the lists a language does not have, and skips their suites', async () => {
    const report = auditReportSchema.parse(await audit(classifier(() => true, 'fr')));
    expect(report.lists.used).toEqual([]);
    expect(report.lists.missing).toContain('names');
    expect(report.warnings.filter((warning) => warning.kind === 'missing_list').map((warning) => warning.subject)).toEqual(report.lists.missing);
    // Letter case needs no list; everything else does.
    expect(report.invariance.map((row) => row.type)).toEqual(['case']);
    expect(report.fairness).toEqual([]);
    expect(report.negation).toBeNull();
    expect(report.explanationRobustness).toBeNull();
  });
});
