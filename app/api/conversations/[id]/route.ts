import { loadConversation } from '@/lib/ingest/conversations';
import { parseId, respond } from '@/lib/http/errors';
import { limitChatRequest } from '@/lib/http/rate-limit';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    await limitChatRequest(request);
    const conversation = await loadConversation(parseId((await params).id, 'The conversation id'));
    return Response.json(conversation, { headers: { 'Cache-Control': 'no-store' } });
  });
}
