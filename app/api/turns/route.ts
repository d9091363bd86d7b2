import { after } from 'next/server';
import { ingestTurns } from '@/lib/ingest/turns';
import { respond } from '@/lib/http/errors';

/** One turn record, or a batch `{ turns: [ … ] }` with one outcome per turn (lib/ingest/turns.ts). */
export async function POST(request: Request) {
  return respond(() => ingestTurns(request, after));
}
