import { parseOverviewParams } from '@/lib/admin/overview-params';
import { requireRole } from '@/lib/auth/session';
import { limeWordImportance, overview } from '@/lib/db/queries/admin-overview';
import { respond } from '@/lib/http/errors';

/** GET /api/admin/overview?days=7|30|90|365&intent=…: the overview's aggregates as JSON. */
export async function GET(request: Request) {
  return respond(async () => {
    await requireRole('admin');
    const { since, intent } = parseOverviewParams(Object.fromEntries(new URL(request.url).searchParams));
    const data = await overview(since);
    const chosen = intent ?? data.intents[0]?.intent;
    const words = chosen ? { intent: chosen, ...(await limeWordImportance(chosen, since)) } : null;
    return Response.json({ ...data, words }, { headers: { 'Cache-Control': 'no-store' } });
  });
}
