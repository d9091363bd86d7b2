import 'server-only';
import { db } from './client';
import { providerOf } from './provider';
import { getConfig } from '@/lib/config';

export async function checkDatabase(): Promise<{ ok: boolean; provider: string; error?: string }> {
  const provider = providerOf(getConfig().DATABASE_URL);
  try {
    await db().$queryRaw`SELECT 1`;
    return { ok: true, provider };
  } catch (error) {
    return { ok: false, provider, error: error instanceof Error ? error.message.split('\n')[0] : 'unreachable' };
  }
}
