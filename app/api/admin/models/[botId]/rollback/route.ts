import { actorOf, CHANGE_BODY_BYTES, rollBackActive, rollBackBodySchema } from '@/lib/admin/candidates';
import { requireRoleMutation } from '@/lib/auth/session';
import { readJson, respond } from '@/lib/http/errors';

/** POST /api/admin/models/:botId/rollback `{ reason }`: the bot serves again the version active before the current one (admins only). */
export async function POST(request: Request, { params }: { params: Promise<{ botId: string }> }) {
  return respond(async () => {
    const session = await requireRoleMutation(request, 'admin');
    const body = await readJson(request, rollBackBodySchema, CHANGE_BODY_BYTES);
    return Response.json(await rollBackActive((await params).botId, actorOf(session), body));
  });
}
