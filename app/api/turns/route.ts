import { MAX_TURN_BYTES, turnRecordSchema } from '@/lib/chat/records';
import { storeTurn } from '@/lib/db/queries/chat';
import { readJson, respond } from '@/lib/http/errors';
import { limitChatRequest } from '@/lib/http/rate-limit';

export async function POST(request: Request) {
  return respond(async () => {
    await limitChatRequest(request);
    const turn = await readJson(request, turnRecordSchema, MAX_TURN_BYTES);
    const outcome = await storeTurn(turn);
    return Response.json({ outcome }, { status: outcome === 'stored' ? 201 : 200 });
  });
}
