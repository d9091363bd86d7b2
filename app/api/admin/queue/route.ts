import { requireAdmin } from '@/lib/auth/session';
import { reviewQueue } from '@/lib/db/queries/admin';
import { respond } from '@/lib/http/errors';

/** GET /api/admin/queue?page=N: the "needs review" queue, riskiest first. */
export async function GET(request: Request) {
  return respond(async () => {
    await requireAdmin();
    const page = Math.max(1, Math.min(100_000, Number(new URL(request.url).searchParams.get('page')) || 1));
    return Response.json(await reviewQueue(page, 50), { headers: { 'Cache-Control': 'no-store' } });
  });
}
