import 'server-only';
import { authenticate, createSession, normaliseEmail, type AdminIdentity } from './admins';
import { hitRateLimit } from '@/lib/db/queries/rate-limit';

/**
 * Sign-in limits, counted per 15-minute window in the database (RateLimitBucket, so they hold
 * across server instances), by account and by address separately:
 *
 * - per address, over all accounts: 50 attempts (one address trying many accounts);
 * - per account and address: 10 attempts (one address guessing one account's password);
 * - per account, over all addresses: 100 attempts. Past that the account is under attack, but
 *   its sign-in does not close: an address with a clean record for the account (at most 3
 *   attempts on it this window, this one included) still has its password checked, so the real
 *   admin signs in from their own address while a flood from many others goes on; addresses that
 *   have spent their few tries are refused until the window ends.
 *
 * So no flood of wrong passwords, from however many addresses, locks the real admin out, and
 * guessing stays bounded per address. Every attempt is counted before the password is checked,
 * so parallel guesses cannot slip past a limit. The address is the one `clientKey` gives
 * (lib/http/rate-limit.ts): a client that can write its own X-Forwarded-For (no proxy in front,
 * TRUSTED_PROXIES unset) picks a fresh address per request, which the per-address limits cannot
 * stop; the lock-out above still cannot happen.
 */
export const LOGIN_LIMITS = {
  windowMs: 15 * 60 * 1000,
  perClient: 50,
  perAccountAndClient: 10,
  perAccount: 100,
  perAccountAndClientUnderAttack: 3,
} as const;

export type LoginOutcome =
  | { ok: true; user: AdminIdentity; token: string; csrfToken: string; expiresAt: Date }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

/** One sign-in attempt from `client` (a rate-limit key: an address, or the shared unknown bucket). */
export async function attemptLogin(email: string, password: string, client: string, now = new Date()): Promise<LoginOutcome> {
  const account = normaliseEmail(email);
  const { windowMs } = LOGIN_LIMITS;
  const [byClient, byPair, byAccount] = await Promise.all([
    hitRateLimit(`login:client:${client}`, LOGIN_LIMITS.perClient, windowMs, now),
    hitRateLimit(`login:pair:${client}:${account}`, LOGIN_LIMITS.perAccountAndClient, windowMs, now),
    hitRateLimit(`login:email:${account}`, LOGIN_LIMITS.perAccount, windowMs, now),
  ]);
  const underAttackAndNotClean = !byAccount.allowed && byPair.count > LOGIN_LIMITS.perAccountAndClientUnderAttack;
  if (!byClient.allowed || !byPair.allowed || underAttackAndNotClean) {
    // Every bucket shares the window, so they all reopen at the same moment.
    return { ok: false, reason: 'rate_limited', retryAfterSeconds: byPair.retryAfterSeconds };
  }
  const user = await authenticate(email, password);
  if (!user) return { ok: false, reason: 'invalid' };
  const session = await createSession(user.id, now);
  return { ok: true, user, ...session };
}
