import { conversationUpdates, parseAfter } from '@/lib/ingest/handoff-service';
import { parseId, respond } from '@/lib/http/errors';
import { limitUpdatesRequest } from '@/lib/http/rate-limit';

/** GET /api/conversations/:id/updates?after=<ISO time or agent message id>: the chat's poll while a hand-off is open. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    await limitUpdatesRequest(request);
    const id = parseId((await params).id, 'The conversation id');
    const after = parseAfter(new URL(request.url).searchParams.get('after'));
    return Response.json(await conversationUpdates(id, after), { headers: { 'Cache-Control': 'no-store' } });
  });
}
