import { randomUUID } from 'node:crypto';
import { expect, type APIRequest } from '@playwright/test';
import { sessionIdOf } from '@/lib/auth/tokens';
import { hashPassword } from '@/lib/auth/password';
import { queryE2eDatabase, writeE2eDatabase } from './database';

export type AdminAccount = { email: string; password: string };

/**
 * An admin account of the spec's own: sign-ins count against a per-e-mail limit, so specs
 * that sign in often do not spend the environment admin's allowance that admin.spec relies on.
 * Written as `createAdminUser` writes it (same password hashing, Prisma's SQLite date form),
 * directly in the database: quicker than a process of `npm run admin:create` per account.
 */
export async function createAdminAccount(email: string, password = `${email} password, not secret`): Promise<AdminAccount> {
  const passwordHash = await hashPassword(password);
  const createdAt = new Date().toISOString().replace('Z', '+00:00');
  writeE2eDatabase('INSERT OR IGNORE INTO "AdminUser" ("id", "email", "passwordHash", "createdAt") VALUES (?, ?, ?, ?)', randomUUID(), email, passwordHash, createdAt);
  return { email, password };
}

/** A signed-in admin as an API client holds it: the session cookie and the session's CSRF token. */
export type AdminApiSession = {
  cookieName: string;
  token: string;
  csrfToken: string;
  /** Headers of a same-origin request from the admin pages; `extra` adds or overrides. */
  headers(extra?: Record<string, string>): Record<string, string>;
};

/**
 * Signs in through the API, in a context of its own, and returns the session. The cookie then
 * travels only in an explicit header, so every other request is truly anonymous; the CSRF
 * token is read where the server keeps it (the page embeds the same value), found by the hash
 * of the cookie's token.
 */
export async function signInThroughApi(api: APIRequest, baseURL: string, account: AdminAccount): Promise<AdminApiSession> {
  const origin = new URL(baseURL).origin;
  const context = await api.newContext({ baseURL });
  const response = await context.post('/api/admin/login', { headers: { origin }, data: account });
  expect(response.status(), await response.text()).toBe(200);
  const setCookie = response.headersArray().find((header) => header.name.toLowerCase() === 'set-cookie')?.value ?? '';
  await context.dispose();
  const [cookieName, token] = setCookie.split(';')[0]!.split('=') as [string, string];
  const [session] = queryE2eDatabase<{ csrfToken: string }>('SELECT csrfToken FROM AdminSession WHERE id = ?', sessionIdOf(decodeURIComponent(token)));
  expect(session, 'the session is stored under the hash of its token').toBeDefined();
  const csrfToken = session!.csrfToken;
  return {
    cookieName,
    token,
    csrfToken,
    headers: (extra = {}) => ({ cookie: `${cookieName}=${token}`, origin, 'x-csrf-token': csrfToken, ...extra }),
  };
}
