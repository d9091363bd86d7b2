import { actorOf, CHANGE_BODY_BYTES, promoteBodySchema, promoteCandidate } from '@/lib/admin/candidates';
import { requireRoleMutation } from '@/lib/auth/session';
import { readJson, respond } from '@/lib/http/errors';

/** POST /api/admin/models/:botId/promote `{ version, reason }`: the bot serves that stored version from the chat's next message (admins only). */
export async function POST(request: Request, { params }: { params: Promise<{ botId: string }> }) {
  return respond(async () => {
    const session = await requireRoleMutation(request, 'admin');
    const body = await readJson(request, promoteBodySchema, CHANGE_BODY_BYTES);
    return Response.json(await promoteCandidate((await params).botId, actorOf(session), body));
  });
}
