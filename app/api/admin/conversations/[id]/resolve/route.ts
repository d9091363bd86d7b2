import { requireRoleMutation } from '@/lib/auth/session';
import { resolveHandoff } from '@/lib/ingest/handoff-service';
import { resolutionSchema } from '@/lib/records/handoff';
import { parseId, readJson, respond } from '@/lib/http/errors';

/**
 * POST /api/admin/conversations/:id/resolve with what the customer wanted:
 * `{ resolution: 'intent', intent } | { resolution: 'new_topic', topic } | { resolution: 'not_support' }`.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const session = await requireRoleMutation(request, 'admin', 'agent');
    const id = parseId((await params).id, 'The conversation id');
    const resolution = await readJson(request, resolutionSchema, 8192);
    return Response.json({ handoff: await resolveHandoff(id, session, resolution) });
  });
}
