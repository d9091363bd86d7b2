import { csvHeader, csvLine, iterateTrainingExport, jsonLine, streamLines, trainingCsvHeader, trainingCsvLine } from '@/lib/admin/export';
import { FilterError, parseLogQuery } from '@/lib/admin/filters';
import { requireRole } from '@/lib/auth/session';
import { iterateLog } from '@/lib/db/queries/admin';
import { badRequest, respond } from '@/lib/http/errors';

/**
 * GET /api/admin/export?format=csv|jsonl|training&…filters
 * csv and jsonl: the log as filtered in the URL. training: every message a reviewer marked
 * correct or relabelled and every resolved hand-off's triggering message with the agent's label,
 * as `text,intent` — the training pipeline's input format.
 */
export async function GET(request: Request) {
  return respond(async () => {
    // The whole log and every label leave the database here: an admin's, not an agent's.
    await requireRole('admin');
    const url = new URL(request.url);
    const format = url.searchParams.get('format') ?? 'csv';
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    const headers = (type: string, name: string) => ({
      'Content-Type': type,
      'Content-Disposition': `attachment; filename="${name}"`,
      'Cache-Control': 'no-store',
    });
    if (format === 'training') {
      const body = streamLines(iterateTrainingExport(), trainingCsvHeader(), trainingCsvLine);
      return new Response(body, { headers: headers('text/csv; charset=utf-8', `glassdesk-training-${stamp}.csv`) });
    }
    let query;
    try {
      query = parseLogQuery(url.searchParams);
    } catch (error) {
      if (error instanceof FilterError) throw badRequest('The filters are not valid.', error.problems);
      throw error;
    }
    if (format === 'csv') {
      return new Response(streamLines(iterateLog(query), csvHeader(), csvLine), { headers: headers('text/csv; charset=utf-8', `glassdesk-log-${stamp}.csv`) });
    }
    if (format === 'jsonl') {
      return new Response(streamLines(iterateLog(query), '', jsonLine), { headers: headers('application/x-ndjson; charset=utf-8', `glassdesk-log-${stamp}.jsonl`) });
    }
    throw badRequest('format must be csv, jsonl or training.');
  });
}
