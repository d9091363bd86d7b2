import { after } from 'next/server';
import { MAX_TURN_BYTES, turnRecordSchema } from '@/lib/chat/records';
import { storeTurn } from '@/lib/db/queries/chat';
import { readJson, respond } from '@/lib/http/errors';
import { limitChatRequest } from '@/lib/http/rate-limit';
import { verifyAfterResponse } from '@/lib/verify/verifier';

export async function POST(request: Request) {
  return respond(async () => {
    await limitChatRequest(request);
    const turn = await readJson(request, turnRecordSchema, MAX_TURN_BYTES);
    const outcome = await storeTurn(turn);
    // Stored as pending; the server's own run of the model checks it once the visitor has the answer.
    if (outcome === 'stored') verifyAfterResponse(turn, after);
    return Response.json({ outcome }, { status: outcome === 'stored' ? 201 : 200 });
  });
}
