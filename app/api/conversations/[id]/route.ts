import { restoreConversation } from '@/lib/ingest/handoff-service';
import { parseId, respond } from '@/lib/http/errors';
import { limitChatRequest } from '@/lib/http/rate-limit';

/** GET /api/conversations/:id: the stored conversation, with the agents' messages and the hand-off's state. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    await limitChatRequest(request);
    const conversation = await restoreConversation(parseId((await params).id, 'The conversation id'));
    return Response.json(conversation, { headers: { 'Cache-Control': 'no-store' } });
  });
}
