import 'server-only';
import type { Prisma } from '@/lib/generated/sqlite/client';
import { db } from '../client';

/**
 * Audit reports as stored, one row per run of `npm run audit` on a model version. The caller
 * (lib/audit) checks the report against its schema and masks its texts before storing.
 */
export type StoredAuditRow = { id: string; botId: string; modelVersion: string; report: unknown; warnings: number; seconds: number; createdAt: Date };

export async function insertAudit(row: { botId: string; modelVersion: string; report: unknown; warnings: number; seconds: number }): Promise<string> {
  const created = await db().modelAudit.create({
    data: { botId: row.botId, modelVersion: row.modelVersion, report: row.report as Prisma.InputJsonValue, warnings: row.warnings, seconds: row.seconds },
    select: { id: true },
  });
  return created.id;
}

/** The latest audit of a bot's model version, or null. */
export async function latestAudit(botId: string, modelVersion: string): Promise<StoredAuditRow | null> {
  return db().modelAudit.findFirst({ where: { botId, modelVersion }, orderBy: { createdAt: 'desc' } });
}

/** A bot's audits, newest first (every version), without their reports. */
export async function auditHistory(botId: string, take = 20): Promise<Omit<StoredAuditRow, 'report'>[]> {
  return db().modelAudit.findMany({
    where: { botId },
    orderBy: { createdAt: 'desc' },
    take,
    select: { id: true, botId: true, modelVersion: true, warnings: true, seconds: true, createdAt: true },
  });
}
