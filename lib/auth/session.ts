import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { findSession, type AccountRole, type AdminSessionInfo } from './admins';
import { ApiError } from '@/lib/http/errors';
import { originHost, requestHost } from '@/lib/http/request-origin';
import { sameSecret } from './tokens';

/** `__Host-` in production: Secure, host-only, path / — the browser enforces all three. */
export function sessionCookieName(): string {
  return process.env.NODE_ENV === 'production' ? '__Host-glassdesk-admin' : 'glassdesk-admin';
}

export function sessionCookieOptions(expiresAt: Date) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: process.env.NODE_ENV === 'production',
    path: '/',
    expires: expiresAt,
  };
}

export const CSRF_HEADER = 'x-csrf-token';

const unauthorised = () => new ApiError(401, 'unauthorised', 'Sign in as an admin first.');

export async function currentSession(): Promise<AdminSessionInfo | null> {
  const token = (await cookies()).get(sessionCookieName())?.value;
  return token ? findSession(token) : null;
}

/**
 * For the review APIs (log, queue, reviews, overview, exports), which every role reaches: the
 * signed-in account, checked against the database on every request, or a 401.
 */
export async function requireAdmin(): Promise<AdminSessionInfo> {
  const session = await currentSession();
  if (!session) throw unauthorised();
  return session;
}

/**
 * The signed-in account when its role is one of `roles` (read from the database with the
 * session, so a changed role counts at once): a 401 when nobody is signed in, a 403 for
 * another role.
 */
export async function requireRole(...roles: AccountRole[]): Promise<AdminSessionInfo> {
  const session = await requireAdmin();
  if (!roles.includes(session.user.role)) throw new ApiError(403, 'forbidden', 'Your account’s role may not do this.');
  return session;
}

/** `requireRole` for state-changing APIs: also same origin and the session's CSRF token (`requireAdminMutation`). */
export async function requireRoleMutation(request: Request, ...roles: AccountRole[]): Promise<AdminSessionInfo> {
  const session = await requireAdminMutation(request);
  if (!roles.includes(session.user.role)) throw new ApiError(403, 'forbidden', 'Your account’s role may not do this.');
  return session;
}

/** For admin pages: the signed-in account, or a redirect to the sign-in page. */
export async function requireAdminPage(): Promise<AdminSessionInfo> {
  const session = await currentSession();
  if (!session) redirect('/admin/login');
  return session;
}

/** For pages of some roles only (the overview is the admins'): another role is sent to the inbox, where every role works. */
export async function requireRolePage(...roles: AccountRole[]): Promise<AdminSessionInfo> {
  const session = await requireAdminPage();
  if (!roles.includes(session.user.role)) redirect('/admin/inbox');
  return session;
}

/**
 * A request is same-origin when its Origin (which browsers send on every POST) is this host
 * (lib/http/request-origin.ts) and the browser does not say another site started it. Unlike the
 * chat API, admin changes require the Origin: they come from the admin pages only.
 */
export function assertSameOrigin(request: Request): void {
  const host = requestHost(request.headers);
  const originHostName = originHost(request.headers.get('origin'));
  const site = request.headers.get('sec-fetch-site');
  if (!originHostName || !host || originHostName !== host || (site !== null && site !== 'same-origin')) {
    throw new ApiError(403, 'cross_origin', 'This request must come from the admin pages themselves.');
  }
}

/** For state-changing admin APIs: signed in, same origin, and the session's CSRF token in the header. */
export async function requireAdminMutation(request: Request): Promise<AdminSessionInfo> {
  const session = await requireAdmin();
  assertSameOrigin(request);
  const token = request.headers.get(CSRF_HEADER) ?? '';
  if (!sameSecret(token, session.csrfToken)) throw new ApiError(403, 'csrf', 'The CSRF token is missing or wrong; reload the page.');
  return session;
}
