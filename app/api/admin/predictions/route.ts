import { FilterError, parseLogQuery } from '@/lib/admin/filters';
import { requireAdmin } from '@/lib/auth/session';
import { listPredictions } from '@/lib/db/queries/admin';
import { badRequest, respond } from '@/lib/http/errors';

/** GET /api/admin/predictions?…filters: one page of the log as JSON (same parameters as /admin). */
export async function GET(request: Request) {
  return respond(async () => {
    await requireAdmin();
    try {
      return Response.json(await listPredictions(parseLogQuery(new URL(request.url).searchParams)), { headers: { 'Cache-Control': 'no-store' } });
    } catch (error) {
      if (error instanceof FilterError) throw badRequest('The filters are not valid.', error.problems);
      throw error;
    }
  });
}
