import { actorOf, CHANGE_BODY_BYTES, retireBodySchema, retireVersion } from '@/lib/admin/candidates';
import { requireRoleMutation } from '@/lib/auth/session';
import { readJson, respond } from '@/lib/http/errors';

/** POST /api/admin/models/:botId/retire `{ version, reason }`: a version that is not active is no longer served (admins only). */
export async function POST(request: Request, { params }: { params: Promise<{ botId: string }> }) {
  return respond(async () => {
    const session = await requireRoleMutation(request, 'admin');
    const body = await readJson(request, retireBodySchema, CHANGE_BODY_BYTES);
    return Response.json(await retireVersion((await params).botId, actorOf(session), body));
  });
}
