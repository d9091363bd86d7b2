import 'server-only';
import { getConfig } from '@/lib/config';
import { hitRateLimit } from '@/lib/db/queries/rate-limit';
import { forwardedAddress, peerAddress, UNKNOWN_CLIENT } from './client-address';
import { ApiError } from './errors';

export type RateLimitPolicy = { name: string; limit: number; windowMs: number };

const CHAT_WINDOW_MS = 60_000;

/**
 * The client a request comes from, as a rate-limit key: the address the outermost trusted proxy
 * wrote into X-Forwarded-For (lib/http/client-address.ts; with TRUSTED_PROXIES 0 or 1, the last
 * entry, which `next start` writes itself when the header is absent). When that entry is empty
 * or not an address (`X-Forwarded-For: ,`), the socket's address; when even that is unknown, one
 * bucket shared by all such requests. Never none: a request without a key would have no limit.
 */
export function clientKey(headers: Headers, trustedProxies = getConfig().TRUSTED_PROXIES): string {
  return forwardedAddress(headers.get('x-forwarded-for'), trustedProxies) ?? peerAddress(headers) ?? UNKNOWN_CLIENT;
}

export function tooManyRequests(retryAfterSeconds: number, message: string): ApiError {
  return new ApiError(429, 'rate_limited', message, { retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });
}

/** The 429 for records of a batch past the client's budget. */
export const tooManyRecords = (retryAfterSeconds: number): ApiError =>
  tooManyRequests(retryAfterSeconds, `Too many records from this address; try again in ${retryAfterSeconds} seconds.`);

/** Counts a request against its client's budget under `policy` and throws a 429 (with Retry-After) past it. */
export async function enforceRateLimit(headers: Headers, policy: RateLimitPolicy, now = new Date()): Promise<void> {
  const client = clientKey(headers);
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

/**
 * A chat polling for a person's replies (about 40 polls a minute while a hand-off is open) has a
 * budget of its own, as large as the chat's, so polling never spends what the visitor's turns need.
 */
export function updatesRateLimit(): RateLimitPolicy {
  return { name: 'updates', limit: getConfig().CHAT_RATE_LIMIT_PER_MINUTE, windowMs: CHAT_WINDOW_MS };
}

export function limitUpdatesRequest(request: Request, now = new Date()): Promise<void> {
  return enforceRateLimit(request.headers, updatesRateLimit(), now);
}

/**
 * A batch of `records` counts as that many requests against the chat budget. The request was
 * counted once already by `limitChatRequest` (before its body was read), so this counts the
 * rest and says how many of the batch's records, from the first, fit in the budget; the others
 * are to be answered 429 one by one, so the client keeps them and retries. Throws the 429 when
 * none fits.
 */
export async function limitChatRecords(request: Request, records: number, now = new Date()): Promise<{ fitting: number; retryAfterSeconds: number }> {
  const client = clientKey(request.headers);
  if (records <= 1) return { fitting: records, retryAfterSeconds: 0 };
  const policy = chatRateLimit();
  const result = await hitRateLimit(`${policy.name}:client:${client}`, policy.limit, policy.windowMs, now, records - 1);
  // The first record was the request already counted within the budget.
  const fitting = Math.max(0, Math.min(records, policy.limit - (result.count - records)));
  if (fitting === 0) {
    throw tooManyRecords(result.retryAfterSeconds);
  }
  return { fitting, retryAfterSeconds: result.retryAfterSeconds };
}

/** Bytes of one post that its request count pays for: a turn, or a short message's explanations without attention. */
export const FREE_BYTES_PER_REQUEST = 16 * 1024;
/** Bytes past the free ones a client may post per request of its chat budget, over a minute. */
export const CHAT_BYTES_PER_REQUEST = 32 * 1024;

/** The budget in bytes for explanations: `CHAT_RATE_LIMIT_PER_MINUTE` × 32 KiB per minute (5.6 MiB by default). */
export function chatBytesLimit(): RateLimitPolicy {
  return { name: 'chat-bytes', limit: getConfig().CHAT_RATE_LIMIT_PER_MINUTE * CHAT_BYTES_PER_REQUEST, windowMs: CHAT_WINDOW_MS };
}

/**
 * Counts the work a post of `bytes` brings (explanations: validating and storing them costs in
 * proportion to their size) against its client's budget in bytes, counted in the database so it
 * holds across server instances, and throws a 429 with Retry-After past it. A post's first
 * `FREE_BYTES_PER_REQUEST` are paid for by its request count, so small posts cost no statement.
 */
export async function limitChatBytes(request: Request, bytes: number, now = new Date()): Promise<void> {
  const charged = Math.ceil(bytes) - FREE_BYTES_PER_REQUEST;
  const client = clientKey(request.headers);
  if (!client || charged <= 0) return;
  const policy = chatBytesLimit();
  const result = await hitRateLimit(`${policy.name}:client:${client}`, policy.limit, policy.windowMs, now, charged);
  if (!result.allowed) {
    throw tooManyRequests(result.retryAfterSeconds, `Too much data from this address; try again in ${result.retryAfterSeconds} seconds.`);
  }
}
