import { requireAdmin } from '@/lib/auth/session';
import { predictionDetail } from '@/lib/admin/predictions';
import { parseId, respond } from '@/lib/http/errors';

/** GET /api/admin/predictions/:id: the prediction, its conversation, stored explanations and reviews. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    await requireAdmin();
    const id = parseId((await params).id, 'The prediction id');
    return Response.json(await predictionDetail(id), { headers: { 'Cache-Control': 'no-store' } });
  });
}
