import { feedbackSchema } from '@/lib/records/turn';
import { saveFeedback } from '@/lib/ingest/feedback';
import { parseId, readJson, respond } from '@/lib/http/errors';
import { limitChatRequest } from '@/lib/http/rate-limit';

export async function PUT(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    await limitChatRequest(request);
    const messageId = parseId((await params).id, 'The message id');
    await saveFeedback(messageId, await readJson(request, feedbackSchema, 4 * 1024));
    return new Response(null, { status: 204 });
  });
}
