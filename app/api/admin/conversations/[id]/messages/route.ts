import { requireRoleMutation } from '@/lib/auth/session';
import { replyToConversation } from '@/lib/ingest/handoff-service';
import { agentMessageSchema } from '@/lib/records/handoff';
import { parseId, readJson, respond } from '@/lib/http/errors';

/** POST /api/admin/conversations/:id/messages `{ text }`: a reply to the customer, by the assignee or an admin. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const session = await requireRoleMutation(request, 'admin', 'agent');
    const id = parseId((await params).id, 'The conversation id');
    const { text } = await readJson(request, agentMessageSchema, 16 * 1024);
    return Response.json({ message: await replyToConversation(id, session, text) }, { status: 201 });
  });
}
