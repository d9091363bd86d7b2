import 'server-only';
import { getConfig } from '@/lib/config';
import { hitRateLimit } from '@/lib/db/queries/rate-limit';
import { ApiError } from './errors';

export type RateLimitPolicy = { name: string; limit: number; windowMs: number };

const CHAT_WINDOW_MS = 60_000;

/**
 * The client a request comes from, as the proxy in front of the app reports it (the first
 * X-Forwarded-For address, or X-Real-IP; `next start` sets X-Forwarded-For to the peer's
 * address when no proxy did); null when nobody says (route handlers do not see the peer).
 */
export function clientKey(headers: Headers): string | null {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  const real = headers.get('x-real-ip')?.trim();
  const address = forwarded || real;
  return address ? address.slice(0, 64) : null;
}

export function tooManyRequests(retryAfterSeconds: number, message: string): ApiError {
  return new ApiError(429, 'rate_limited', message, { retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });
}

/**
 * Counts a request against its client's budget under `policy` and throws a 429 (with
 * Retry-After) past it. Without a known client address there is no per-client budget: one
 * shared bucket would let a single visitor lock everybody out.
 */
export async function enforceRateLimit(headers: Headers, policy: RateLimitPolicy, now = new Date()): Promise<void> {
  const client = clientKey(headers);
  if (!client) return;
  const result = await hitRateLimit(`${policy.name}:client:${client}`, policy.limit, policy.windowMs, now);
  if (!result.allowed) {
    throw tooManyRequests(result.retryAfterSeconds, `Too many requests from this address; try again in ${result.retryAfterSeconds} seconds.`);
  }
}

/** The budget every chat API route (turns, explanations, feedback, restoring a conversation) shares. */
export function chatRateLimit(): RateLimitPolicy {
  return { name: 'chat', limit: getConfig().CHAT_RATE_LIMIT_PER_MINUTE, windowMs: CHAT_WINDOW_MS };
}

export function limitChatRequest(request: Request, now = new Date()): Promise<void> {
  return enforceRateLimit(request.headers, chatRateLimit(), now);
}
