import 'server-only';
import { authenticate, createSession, normaliseEmail, type AdminIdentity } from '@/lib/db/queries/admin-auth';
import { hitRateLimit } from '@/lib/db/queries/rate-limit';

/** Login attempts allowed per window, counted in the database (RateLimitBucket). */
export const LOGIN_LIMITS = {
  windowMs: 15 * 60 * 1000,
  perEmail: 10,
  perClient: 50,
} as const;

export type LoginOutcome =
  | { ok: true; user: AdminIdentity; token: string; csrfToken: string; expiresAt: Date }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

/**
 * One sign-in attempt. Every attempt counts against both the e-mail and the client before
 * the password is checked, so neither guessing one account's password nor spraying many
 * accounts from one client gets far.
 */
export async function attemptLogin(email: string, password: string, client: string | null, now = new Date()): Promise<LoginOutcome> {
  const byEmail = await hitRateLimit(`login:email:${normaliseEmail(email)}`, LOGIN_LIMITS.perEmail, LOGIN_LIMITS.windowMs, now);
  // Without a known client address one shared bucket would let anyone lock every admin out;
  // the per-e-mail limit still applies.
  const byClient = client ? await hitRateLimit(`login:client:${client}`, LOGIN_LIMITS.perClient, LOGIN_LIMITS.windowMs, now) : { allowed: true, retryAfterSeconds: 0 };
  if (!byEmail.allowed || !byClient.allowed) {
    return { ok: false, reason: 'rate_limited', retryAfterSeconds: Math.max(byEmail.allowed ? 0 : byEmail.retryAfterSeconds, byClient.allowed ? 0 : byClient.retryAfterSeconds) };
  }
  const user = await authenticate(email, password);
  if (!user) return { ok: false, reason: 'invalid' };
  const session = await createSession(user.id, now);
  return { ok: true, user, ...session };
}
