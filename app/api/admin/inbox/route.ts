import { requireRole } from '@/lib/auth/session';
import { inbox } from '@/lib/ingest/handoff-service';
import { inboxQuerySchema } from '@/lib/records/handoff';
import { invalidBody, respond } from '@/lib/http/errors';

/** GET /api/admin/inbox?status=waiting|assigned|mine&page=N: open hand-offs, oldest first, with wait times. */
export async function GET(request: Request) {
  return respond(async () => {
    const session = await requireRole('admin', 'agent');
    const query = inboxQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!query.success) throw invalidBody(query.error);
    return Response.json(await inbox(query.data, session), { headers: { 'Cache-Control': 'no-store' } });
  });
}
