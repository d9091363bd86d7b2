/**
 * The risk score of the "needs review" queue (higher = look first), over predictions nobody has
 * marked correct or relabelled yet. The formula is written once, as the list below; the score in
 * TypeScript (`riskScore`), the SQL the queue sorts by (`RISK_SQL`) and the sentence the queue
 * page shows (`RISK_PROSE`) are all read from it. Each case carries its condition in both
 * languages side by side; tests/db/admin-risk.test.ts checks that they agree on every case.
 */

/** What the score reads of a prediction (a log row has all of it). */
export type RiskFacts = {
  confidence: number;
  feedback: 'up' | 'down' | null;
  verification: string;
  minFaithfulness: number | null;
  methodsDisagree: boolean | null;
  decision: string;
  reviewStatus: string;
};

type RiskCase = {
  points: number;
  /** How the queue page says when it applies, after its points ("3 for a thumbs down"). */
  when: string;
  applies: (facts: RiskFacts) => boolean;
  /** The same condition over the queue's `p` (Prediction) and `f` (the reply's Feedback, may be NULL). */
  sql: string;
};

/** One addend: the points of the first of its cases that applies, else 0. */
type RiskTerm = { cases: readonly RiskCase[] };

/** Low confidence: `weight` × (1 − confidence), 0…weight. */
export const CONFIDENCE_WEIGHT = 3;

export const RISK_TERMS: readonly RiskTerm[] = [
  { cases: [{ points: 3, when: 'for a thumbs down', applies: (p) => p.feedback === 'down', sql: `f."helpful" = false` }] },
  {
    cases: [
      { points: 3, when: 'when the server’s check gave another intent', applies: (p) => p.verification === 'mismatch', sql: `p."verification" = 'mismatch'` },
      { points: 1.5, when: 'when it failed', applies: (p) => p.verification === 'failed', sql: `p."verification" = 'failed'` },
    ],
  },
  {
    cases: [
      { points: 2, when: 'when the lowest faithfulness is below 0.1', applies: (p) => p.minFaithfulness !== null && p.minFaithfulness < 0.1, sql: `p."minFaithfulness" < 0.1` },
      { points: 1, when: 'below 0.25', applies: (p) => p.minFaithfulness !== null && p.minFaithfulness < 0.25, sql: `p."minFaithfulness" < 0.25` },
    ],
  },
  { cases: [{ points: 1, when: 'when the methods disagree on the top word', applies: (p) => p.methodsDisagree === true, sql: `p."methodsDisagree" = true` }] },
  {
    cases: [
      { points: 1.5, when: 'for a hand-off', applies: (p) => p.decision === 'handoff', sql: `p."decision" = 'handoff'` },
      { points: 0.5, when: 'for a clarifying question', applies: (p) => p.decision === 'clarify', sql: `p."decision" = 'clarify'` },
    ],
  },
  { cases: [{ points: 1, when: 'when flagged', applies: (p) => p.reviewStatus === 'flagged', sql: `p."reviewStatus" = 'flagged'` }] },
];

function termPoints(term: RiskTerm, facts: RiskFacts): number {
  return term.cases.find((c) => c.applies(facts))?.points ?? 0;
}

export function riskScore(facts: RiskFacts): number {
  return RISK_TERMS.reduce((score, term) => score + termPoints(term, facts), CONFIDENCE_WEIGHT * (1 - facts.confidence));
}

/** A number as an SQL double literal: `3.0`, `1.5` (an integer literal would make PostgreSQL do integer arithmetic). */
const sqlNumber = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n));

/**
 * The score as an SQL expression over `p` and `f`. A NULL column makes a condition NULL, which
 * CASE takes as false, as `applies` does.
 */
export const RISK_SQL = `(
  ${sqlNumber(CONFIDENCE_WEIGHT)} * (1.0 - p."confidence")
${RISK_TERMS.map((term) => `  + CASE ${term.cases.map((c) => `WHEN ${c.sql} THEN ${sqlNumber(c.points)}`).join(' ')} ELSE 0.0 END`).join('\n')}
)`;

/** The formula in words, for the queue page: "3 × (1 − confidence) + 3 for a thumbs down + …". */
export const RISK_PROSE = [
  `${CONFIDENCE_WEIGHT} × (1 − confidence)`,
  ...RISK_TERMS.map(({ cases: [first, ...others] }) => {
    const more = others.map((c) => `${c.points} ${c.when}`).join(', ');
    return `${first!.points} ${first!.when}${more ? ` (${more})` : ''}`;
  }),
].join(' + ');
