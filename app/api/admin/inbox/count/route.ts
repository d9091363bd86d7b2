import { requireRole } from '@/lib/auth/session';
import { inboxCount } from '@/lib/ingest/handoff-service';
import { respond } from '@/lib/http/errors';

/** GET /api/admin/inbox/count: `{ waiting, mine }` for the navigation's badge. */
export async function GET() {
  return respond(async () => {
    const session = await requireRole('admin', 'agent');
    return Response.json(await inboxCount(session), { headers: { 'Cache-Control': 'no-store' } });
  });
}
