// The audit's summary in the model card (`audit`, read by lib/model/card.ts `cardAudit`). The
// card is the training pipeline's file: only the `audit` entry is written, at its end, and every
// other byte stays as the pipeline wrote it (its numbers keep their form, `1.0` stays `1.0`).
import { isDeepStrictEqual } from 'node:util';
import type { AuditSummary } from './report';

/** The card's text with `audit` set to `summary`: the last entry of the top-level object. */
export function cardWithAudit(cardText: string, summary: AuditSummary): string {
  const card = JSON.parse(cardText) as Record<string, unknown>;
  if (!card || typeof card !== 'object' || Array.isArray(card)) throw new Error('the model card is not a JSON object');
  const wanted: Record<string, unknown> = { ...card };
  delete wanted.audit;
  wanted.audit = summary;
  const rewritten = `${JSON.stringify(wanted, null, 2)}\n`;
  let body = cardText.trimEnd();
  if ('audit' in card) {
    // Written here before, so the last entry: cut it.
    const at = body.lastIndexOf('\n  "audit": ');
    if (at < 0) return rewritten;
    body = `${body.slice(0, at).replace(/,\s*$/, '')}\n}`;
  }
  if (!body.endsWith('}')) return rewritten;
  const inner = body.slice(0, -1).trimEnd();
  const entry = `"audit": ${JSON.stringify(summary, null, 2).replace(/\n/g, '\n  ')}`;
  const spliced = `${inner}${inner.endsWith('{') ? '' : ','}\n  ${entry}\n}\n`;
  // Whatever the card's layout was, the result must be the card with the summary; else write it whole.
  try {
    return isDeepStrictEqual(JSON.parse(spliced), JSON.parse(rewritten)) ? spliced : rewritten;
  } catch {
    return rewritten;
  }
}
