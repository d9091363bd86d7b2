import 'server-only';
import {
  findAdminByEmail,
  findSessionById,
  insertAdminUser,
  insertSession,
  recordLogin,
  replacePasswordHash,
  revokeSessionById,
  type AccountRole,
  type AdminIdentity,
} from '@/lib/db/queries/admin-auth';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password';
import { newToken, sessionIdOf } from './tokens';

export type { AccountRole, AdminIdentity };
export const ACCOUNT_ROLES = ['admin', 'agent'] as const satisfies readonly AccountRole[];
export type AdminSessionInfo = { user: AdminIdentity; sessionId: string; csrfToken: string; expiresAt: Date };

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Sessions that ended more than this long ago are of no further use. */
const KEEP_ENDED_SESSIONS_MS = 24 * 60 * 60 * 1000;

/** The longest session token a cookie may carry: longer is not one of ours and is not looked up. */
const MAX_TOKEN_LENGTH = 200;

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Creates an account (an admin unless `role` says agent); an existing e-mail is left untouched (its password and role are not replaced). */
export async function createAdminUser(email: string, password: string, role: AccountRole = 'admin'): Promise<{ created: boolean; id: string }> {
  const address = normaliseEmail(email);
  const existing = await findAdminByEmail(address);
  if (existing) return { created: false, id: existing.id };
  return insertAdminUser(address, await hashPassword(password), role);
}

/** Replaces an existing admin's password and ends that admin's sessions; false when there is no such admin. */
export async function setAdminPassword(email: string, password: string): Promise<boolean> {
  const address = normaliseEmail(email);
  if (!(await findAdminByEmail(address))) return false;
  return replacePasswordHash(address, await hashPassword(password));
}

/** The admin whose e-mail and password these are, or null; unknown e-mails cost the same time. */
export async function authenticate(email: string, password: string): Promise<AdminIdentity | null> {
  const user = await findAdminByEmail(normaliseEmail(email));
  if (!user) return verifyAgainstDummy(password).then(() => null);
  if (!(await verifyPassword(user.passwordHash, password))) return null;
  await recordLogin(user.id);
  return { id: user.id, email: user.email, role: user.role };
}

/** A new session: the token goes into the cookie, only its hash into the database. */
export async function createSession(userId: string, now = new Date()): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await insertSession({ id: sessionIdOf(token), userId, csrfToken, expiresAt, createdAt: now }, new Date(now.getTime() - KEEP_ENDED_SESSIONS_MS));
  return { token, csrfToken, expiresAt };
}

/** The live session a cookie's token stands for: not expired, not revoked. */
export async function findSession(token: string, now = new Date()): Promise<AdminSessionInfo | null> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return null;
  const session = await findSessionById(sessionIdOf(token));
  if (!session || session.revokedAt || session.expiresAt <= now) return null;
  return { user: session.user, sessionId: session.id, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

export async function revokeSession(token: string): Promise<void> {
  await revokeSessionById(sessionIdOf(token));
}
