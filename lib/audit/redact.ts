// An audit report made safe to write and store: every free-text field masked with the project's
// redaction (lib/bot/redact.ts, the kinds REDACT_PII names), and the worst flips' explanations
// fitted to their masked texts as the server fits a posted explanation, so that their words and
// counterfactual texts are the masked text's. Only a masked report can be written or stored
// (`MaskedAuditReport`).
import { redact, type RedactionOptions } from '@/lib/bot/redact';
import { auditReportSchema, type AuditReport, type Flip } from './report';

declare const masked: unique symbol;
/** A report whose texts are masked: what `maskReport` returns. */
export type MaskedAuditReport = AuditReport & { readonly [masked]: true };

export interface MaskOptions extends RedactionOptions {
  /** An explanation as stored for the masked text it explains, or null when it does not fit (it is then left out). */
  fit?: (explanation: unknown, maskedText: string) => unknown;
}

/** Every string in `value` passed through `mask` (a copy; objects and arrays of plain JSON). */
function maskStrings<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === 'string') return mask(value) as T;
  if (Array.isArray(value)) return value.map((item) => maskStrings(item, mask)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskStrings(item, mask)])) as T;
  return value;
}

function maskFlip(flip: Flip, mask: (text: string) => string, fit: MaskOptions['fit']): Flip {
  const { explanations, ...rest } = flip;
  const out = maskStrings(rest, mask);
  if (!explanations || !fit) return out;
  const fitted = (list: readonly unknown[], text: string) => list.map((explanation) => fit(explanation, text)).filter((explanation) => explanation !== null);
  return { ...out, explanations: { original: fitted(explanations.original, out.original), variant: fitted(explanations.variant, out.variant) } };
}

/** The report with every text masked; explanations without a `fit` to make them safe are left out. */
export function maskReport(report: AuditReport, options: MaskOptions = {}): MaskedAuditReport {
  const mask = (text: string) => redact(text, { kinds: options.kinds }).text;
  const { worstFlips, ...rest } = report;
  const out: AuditReport = { ...maskStrings(rest, mask), worstFlips: worstFlips.map((flip) => maskFlip(flip, mask, options.fit)) };
  return auditReportSchema.parse(out) as MaskedAuditReport;
}
