import 'server-only';
import type { AccountRole } from '@/lib/generated/sqlite/client';
import { db } from '../client';
import { isUniqueViolation } from '../errors';

/**
 * Admin accounts and sessions as stored. The callers (lib/auth) normalise e-mails, hash
 * passwords and tokens, and decide when a session is live; these only read and write rows.
 */
export type { AccountRole };
export type AdminIdentity = { id: string; email: string; role: AccountRole };
export type AdminAccount = AdminIdentity & { passwordHash: string };
export type AdminSessionRow = { id: string; userId: string; csrfToken: string; expiresAt: Date; createdAt: Date };
export type StoredAdminSession = { id: string; user: AdminIdentity; csrfToken: string; expiresAt: Date; revokedAt: Date | null };

export async function findAdminByEmail(email: string): Promise<AdminAccount | null> {
  return db().adminUser.findUnique({ where: { email }, select: { id: true, email: true, role: true, passwordHash: true } });
}

/** Inserts an admin; an e-mail already stored is left untouched, also when another process inserts it meanwhile. */
export async function insertAdminUser(email: string, passwordHash: string, role: AccountRole = 'admin'): Promise<{ created: boolean; id: string }> {
  const existing = await db().adminUser.findUnique({ where: { email }, select: { id: true } });
  if (existing) return { created: false, id: existing.id };
  try {
    const user = await db().adminUser.create({ data: { email, passwordHash, role }, select: { id: true } });
    return { created: true, id: user.id };
  } catch (error) {
    // Two server instances starting at once: the other one created it.
    if (!isUniqueViolation(error)) throw error;
    const raced = await db().adminUser.findUniqueOrThrow({ where: { email }, select: { id: true } });
    return { created: false, id: raced.id };
  }
}

/** Replaces an admin's password hash and revokes that admin's live sessions, in one transaction; false when no admin has that e-mail. */
export async function replacePasswordHash(email: string, passwordHash: string, now = new Date()): Promise<boolean> {
  const user = await db().adminUser.findUnique({ where: { email }, select: { id: true } });
  if (!user) return false;
  await db().$transaction([
    db().adminUser.update({ where: { id: user.id }, data: { passwordHash } }),
    db().adminSession.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now } }),
  ]);
  return true;
}

export async function recordLogin(userId: string, at = new Date()): Promise<void> {
  await db().adminUser.update({ where: { id: userId }, data: { lastLoginAt: at } });
}

/** Stores a session, and deletes the admin's sessions that expired before `expiredBefore`. */
export async function insertSession(session: AdminSessionRow, expiredBefore: Date): Promise<void> {
  await db().adminSession.create({ data: session });
  await db().adminSession.deleteMany({ where: { userId: session.userId, expiresAt: { lt: expiredBefore } } });
}

export async function findSessionById(id: string): Promise<StoredAdminSession | null> {
  const session = await db().adminSession.findUnique({ where: { id }, include: { user: { select: { id: true, email: true, role: true } } } });
  return session ? { id: session.id, user: session.user, csrfToken: session.csrfToken, expiresAt: session.expiresAt, revokedAt: session.revokedAt } : null;
}

export async function revokeSessionById(id: string, now = new Date()): Promise<void> {
  await db().adminSession.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
}
