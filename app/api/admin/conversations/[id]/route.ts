import { requireRole } from '@/lib/auth/session';
import { agentConversation } from '@/lib/ingest/handoff-service';
import { parseId, respond } from '@/lib/http/errors';

/** GET /api/admin/conversations/:id: the transcript, each reply's stored explanations, agent messages and the hand-off with its evidence. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    await requireRole('admin', 'agent');
    const id = parseId((await params).id, 'The conversation id');
    return Response.json(await agentConversation(id), { headers: { 'Cache-Control': 'no-store' } });
  });
}
