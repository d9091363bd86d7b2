import { requireRoleMutation } from '@/lib/auth/session';
import { claimHandoff } from '@/lib/ingest/handoff-service';
import { parseId, respond } from '@/lib/http/errors';

/** POST /api/admin/conversations/:id/claim: the open hand-off becomes the signed-in account's (409 when someone else holds it). */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const session = await requireRoleMutation(request, 'admin', 'agent');
    const id = parseId((await params).id, 'The conversation id');
    return Response.json({ handoff: await claimHandoff(id, session) });
  });
}
