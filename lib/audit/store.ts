// Audit reports in the app's database, per bot and model version (lib/db/queries/audits.ts):
// only masked reports go in, and what comes out is checked against the report's schema.
import 'server-only';
import { insertAudit, latestAudit } from '@/lib/db/queries/audits';
import type { MaskedAuditReport } from './redact';
import { auditReportSchema, type AuditReport } from './report';

/** Stores a masked report of `botId`'s model version `modelVersion` (its content hash); returns its id. */
export async function storeAudit(report: MaskedAuditReport, botId: string, modelVersion: string): Promise<string> {
  return insertAudit({ botId, modelVersion, report: auditReportSchema.parse(report), warnings: report.warnings.length, seconds: report.seconds });
}

/** The latest stored report of `botId`'s model `modelVersion`, or null (also for a stored report this build cannot read). */
export async function latestAuditReport(botId: string, modelVersion: string): Promise<AuditReport | null> {
  const row = await latestAudit(botId, modelVersion);
  if (!row) return null;
  const parsed = auditReportSchema.safeParse(row.report);
  return parsed.success ? parsed.data : null;
}
