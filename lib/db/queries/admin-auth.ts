import 'server-only';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '@/lib/auth/password';
import { newToken, sessionIdOf } from '@/lib/auth/tokens';
import { db } from '../client';

export type AdminIdentity = { id: string; email: string };
export type AdminSessionInfo = { user: AdminIdentity; sessionId: string; csrfToken: string; expiresAt: Date };

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Creates an admin; an existing e-mail is left untouched (its password is not replaced). */
export async function createAdminUser(email: string, password: string): Promise<{ created: boolean; id: string }> {
  const address = normaliseEmail(email);
  const existing = await db().adminUser.findUnique({ where: { email: address }, select: { id: true } });
  if (existing) return { created: false, id: existing.id };
  const passwordHash = await hashPassword(password);
  try {
    const user = await db().adminUser.create({ data: { email: address, passwordHash }, select: { id: true } });
    return { created: true, id: user.id };
  } catch (error) {
    // Two server instances starting at once: the other one created it.
    if ((error as { code?: string }).code !== 'P2002') throw error;
    const raced = await db().adminUser.findUniqueOrThrow({ where: { email: address }, select: { id: true } });
    return { created: false, id: raced.id };
  }
}

/** Replaces an existing admin's password and ends that admin's sessions. */
export async function setAdminPassword(email: string, password: string): Promise<boolean> {
  const address = normaliseEmail(email);
  const user = await db().adminUser.findUnique({ where: { email: address }, select: { id: true } });
  if (!user) return false;
  const passwordHash = await hashPassword(password);
  await db().$transaction([
    db().adminUser.update({ where: { id: user.id }, data: { passwordHash } }),
    db().adminSession.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: new Date() } }),
  ]);
  return true;
}

/** The admin whose e-mail and password these are, or null; unknown e-mails cost the same time. */
export async function authenticate(email: string, password: string): Promise<AdminIdentity | null> {
  const user = await db().adminUser.findUnique({ where: { email: normaliseEmail(email) } });
  if (!user) return verifyAgainstDummy(password).then(() => null);
  if (!(await verifyPassword(user.passwordHash, password))) return null;
  await db().adminUser.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { id: user.id, email: user.email };
}

/** A new session: the token goes into the cookie, only its hash into the database. */
export async function createSession(userId: string, now = new Date()): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db().adminSession.create({ data: { id: sessionIdOf(token), userId, csrfToken, expiresAt, createdAt: now } });
  // Sessions that ended more than a day ago are of no further use.
  await db().adminSession.deleteMany({ where: { userId, expiresAt: { lt: new Date(now.getTime() - 24 * 60 * 60 * 1000) } } });
  return { token, csrfToken, expiresAt };
}

/** The live session a cookie's token stands for: not expired, not revoked. */
export async function findSession(token: string, now = new Date()): Promise<AdminSessionInfo | null> {
  if (!token || token.length > 200) return null;
  const session = await db().adminSession.findUnique({
    where: { id: sessionIdOf(token) },
    include: { user: { select: { id: true, email: true } } },
  });
  if (!session || session.revokedAt || session.expiresAt <= now) return null;
  return { user: session.user, sessionId: session.id, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

export async function revokeSession(token: string): Promise<void> {
  await db().adminSession.updateMany({ where: { id: sessionIdOf(token), revokedAt: null }, data: { revokedAt: new Date() } });
}
