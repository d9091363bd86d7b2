import { isVersionHash } from '@/lib/bot/registry';

/**
 * The model version a bot serves now, as `GET /api/bots/:bot/model` names it (never cached: a
 * promotion reaches the next question); null when the server answers without one. Throws when
 * the server cannot be asked or does not answer within `timeoutMs`.
 */
export async function fetchServedVersion(bot: string, options: { fetch?: typeof fetch; timeoutMs?: number } = {}): Promise<string | null> {
  const fetchImpl = options.fetch ?? fetch;
  const response = await fetchImpl(`/api/bots/${encodeURIComponent(bot)}/model`, {
    cache: 'no-store',
    ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) }),
  });
  if (!response.ok) return null;
  const body = (await response.json().catch(() => null)) as { version?: unknown } | null;
  return typeof body?.version === 'string' && isVersionHash(body.version) ? body.version : null;
}
