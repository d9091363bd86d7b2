import { parseQueueParams } from '@/lib/admin/overview-params';
import { requireAdmin } from '@/lib/auth/session';
import { reviewQueue } from '@/lib/admin/predictions';
import { respond } from '@/lib/http/errors';

/** GET /api/admin/queue?page=N&days=7|30|90|all: the "needs review" queue, riskiest first. */
export async function GET(request: Request) {
  return respond(async () => {
    await requireAdmin();
    const { page, since } = parseQueueParams(Object.fromEntries(new URL(request.url).searchParams));
    return Response.json(await reviewQueue(page, 50, since), { headers: { 'Cache-Control': 'no-store' } });
  });
}
