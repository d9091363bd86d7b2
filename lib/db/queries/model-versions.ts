import 'server-only';
import { db } from '../client';
import { isUniqueViolation } from '../errors';

/**
 * The rows behind a bot's model versions (lib/model/versions.ts decides; this only reads and
 * writes): the stored versions, the one active per bot, and the log of who changed what.
 */
export type ModelChangeAction = 'register' | 'activate' | 'promote' | 'rollback' | 'retire';

export type ModelVersionRow = {
  botId: string;
  hash: string;
  name: string;
  source: string;
  createdAt: Date;
  retiredAt: Date | null;
  retiredReason: string | null;
};

export type ModelChangeRow = {
  id: string;
  botId: string;
  action: ModelChangeAction;
  fromHash: string | null;
  toHash: string | null;
  actorId: string | null;
  actorName: string;
  reason: string;
  createdAt: Date;
};

export type NewModelChange = Omit<ModelChangeRow, 'id' | 'createdAt'>;

/** The outcome of switching a bot's active version; `conflict`: another change came first. */
export type SwitchOutcome = { ok: true; change: ModelChangeRow } | { ok: false; reason: 'conflict' };

export async function findModelVersion(botId: string, hash: string): Promise<ModelVersionRow | null> {
  return db().modelVersion.findUnique({ where: { botId_hash: { botId, hash } } });
}

/** A bot's versions, newest first. */
export async function listModelVersions(botId: string, take = 200): Promise<ModelVersionRow[]> {
  return db().modelVersion.findMany({ where: { botId }, orderBy: { createdAt: 'desc' }, take });
}

/**
 * Stores a version unless it is already there, with its `register` change in the same
 * transaction; returns the stored row and whether this call created it.
 */
export async function insertModelVersion(row: Omit<ModelVersionRow, 'createdAt' | 'retiredAt' | 'retiredReason'>, change: NewModelChange): Promise<{ row: ModelVersionRow; created: boolean }> {
  const existing = await findModelVersion(row.botId, row.hash);
  if (existing) return { row: existing, created: false };
  try {
    const created = await db().$transaction(async (tx) => {
      const version = await tx.modelVersion.create({ data: row });
      await tx.modelChange.create({ data: change });
      return version;
    });
    return { row: created, created: true };
  } catch (error) {
    // Two processes registering the same folder at once: the first one's row stands.
    if (!isUniqueViolation(error)) throw error;
    return { row: (await findModelVersion(row.botId, row.hash))!, created: false };
  }
}

export async function activeModelHash(botId: string): Promise<string | null> {
  const row = await db().activeModel.findUnique({ where: { botId }, select: { hash: true } });
  return row?.hash ?? null;
}

/**
 * Makes `hash` the bot's first active version unless one is active already (another process
 * bootstrapped first): returns the active hash either way.
 */
export async function insertFirstActive(botId: string, hash: string, change: NewModelChange): Promise<string> {
  try {
    await db().$transaction(async (tx) => {
      await tx.activeModel.create({ data: { botId, hash } });
      await tx.modelChange.create({ data: change });
    });
    return hash;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return (await activeModelHash(botId))!;
  }
}

/**
 * Switches the bot's active version from `fromHash` to `toHash` and logs the change, in one
 * transaction that only changes a row still naming `fromHash`: of two admins promoting at
 * once, the second is told the version changed under them instead of silently winning.
 */
export async function switchActive(change: NewModelChange & { fromHash: string; toHash: string }): Promise<SwitchOutcome> {
  return db().$transaction(async (tx) => {
    const updated = await tx.activeModel.updateMany({ where: { botId: change.botId, hash: change.fromHash }, data: { hash: change.toHash, changedAt: new Date() } });
    if (updated.count !== 1) return { ok: false as const, reason: 'conflict' as const };
    const row = await tx.modelChange.create({ data: change });
    return { ok: true as const, change: row as ModelChangeRow };
  });
}

/** Marks a version retired and logs it; null when it was retired already or is active now. */
export async function markRetired(botId: string, hash: string, reason: string, change: NewModelChange): Promise<ModelChangeRow | null> {
  return db().$transaction(async (tx) => {
    const active = await tx.activeModel.findUnique({ where: { botId }, select: { hash: true } });
    if (active?.hash === hash) return null;
    const updated = await tx.modelVersion.updateMany({ where: { botId, hash, retiredAt: null }, data: { retiredAt: new Date(), retiredReason: reason } });
    if (updated.count !== 1) return null;
    return (await tx.modelChange.create({ data: change })) as ModelChangeRow;
  });
}

/** The change that made `hash` the bot's active version (the latest activate, promote or rollback to it). */
export async function changeThatActivated(botId: string, hash: string): Promise<ModelChangeRow | null> {
  return (await db().modelChange.findFirst({
    where: { botId, toHash: hash, action: { in: ['activate', 'promote', 'rollback'] } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  })) as ModelChangeRow | null;
}

/** A bot's model changes, newest first. */
export async function listModelChanges(botId: string, take = 50): Promise<ModelChangeRow[]> {
  return (await db().modelChange.findMany({ where: { botId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take })) as ModelChangeRow[];
}
