import { loadConversation } from '@/lib/db/queries/chat';
import { parseId, respond } from '@/lib/http/errors';

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const conversation = await loadConversation(parseId((await params).id, 'The conversation id'));
    return Response.json(conversation, { headers: { 'Cache-Control': 'no-store' } });
  });
}
