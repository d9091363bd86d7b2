import { explanationsRecordSchema, MAX_EXPLANATIONS_BYTES } from '@/lib/chat/records';
import { storeExplanations } from '@/lib/db/queries/explanations';
import { parseId, readJson, respond } from '@/lib/http/errors';
import { limitChatRequest } from '@/lib/http/rate-limit';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    await limitChatRequest(request);
    const predictionId = parseId((await params).id, 'The prediction id');
    const record = await readJson(request, explanationsRecordSchema, MAX_EXPLANATIONS_BYTES);
    const outcome = await storeExplanations(predictionId, record);
    return Response.json(outcome, { status: outcome.stored > 0 ? 201 : 200 });
  });
}
