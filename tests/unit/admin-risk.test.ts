import { describe, expect, it } from 'vitest';
import { RISK_PROSE, RISK_SQL, RISK_TERMS } from '@/lib/admin/risk';

describe('the risk formula as the queue page and the queue query read it', () => {
  it('says the formula in words, from the same list the score is computed from', () => {
    expect(RISK_PROSE).toBe(
      '3 × (1 − confidence) + 3 for a thumbs down + 3 when the server’s check gave another intent (1.5 when it failed) + 2 when the lowest faithfulness is below 0.1 (1 below 0.25) + 1 when the methods disagree on the top word + 1.5 for a hand-off (0.5 for a clarifying question) + 1 when flagged',
    );
  });

  it('writes one CASE per term and every case’s condition and points into the SQL', () => {
    expect(RISK_SQL.match(/\bCASE\b/g)).toHaveLength(RISK_TERMS.length);
    for (const term of RISK_TERMS) {
      for (const c of term.cases) expect(RISK_SQL).toContain(`WHEN ${c.sql} THEN ${Number.isInteger(c.points) ? c.points.toFixed(1) : c.points}`);
    }
    expect(RISK_SQL).toContain('3.0 * (1.0 - p."confidence")');
  });
});
