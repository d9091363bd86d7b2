// The audit summary goes into the model card as its last entry, and nothing else of the card
// changes: the pipeline's numbers keep their form (`1.0` stays `1.0`).
import { describe, expect, it } from 'vitest';
import { cardWithAudit } from '@/lib/audit/card-summary';
import type { AuditSummary } from '@/lib/audit/report';
import { cardAudit, parseModelCard } from '@/lib/model/card';

const summary: AuditSummary = { created: '2026-01-01T00:00:00.000Z', seconds: 12.5, maxFlipRate: 0.2, flipRates: { typo: 0.2, case: 0 }, minDisparateImpact: 0.9, warnings: ['typo: the answer changed'] };
const CARD = '{\n  "name": "m",\n  "labels": [\n    "a",\n    "b"\n  ],\n  "temperature": 1.0,\n  "thresholds": {\n    "out_of_scope": 0.5\n  }\n}\n';

describe('the audit summary in the model card', () => {
  it('is appended, every other byte as it was', () => {
    const out = cardWithAudit(CARD, summary);
    expect(out.startsWith(CARD.replace(/\n}\n$/, ',\n  "audit": {'))).toBe(true);
    expect(out).toContain('"temperature": 1.0,');
    expect(JSON.parse(out).audit).toEqual(summary);
    expect(cardAudit(parseModelCard(JSON.parse(out)))).toEqual(summary);
  });

  it('replaces the one written before', () => {
    const again = cardWithAudit(cardWithAudit(CARD, summary), { ...summary, seconds: 3 });
    expect(again).toBe(cardWithAudit(CARD, { ...summary, seconds: 3 }));
    expect(again.match(/"audit"/g)).toHaveLength(1);
  });

  it('writes the card whole when its layout is not the pipeline’s', () => {
    const out = cardWithAudit('{"name":"m","audit":{"old":true},"labels":["a","b"]}', summary);
    expect(JSON.parse(out)).toEqual({ name: 'm', labels: ['a', 'b'], audit: summary });
    expect(() => cardWithAudit('[1, 2]', summary)).toThrow('not a JSON object');
  });
});
