import { z } from 'zod';
import { reviewLabels } from '@/lib/verify/bots';
import { requireAdminMutation } from '@/lib/auth/session';
import { reviewPrediction } from '@/lib/admin/predictions';
import { parseId, readJson, respond } from '@/lib/http/errors';

const reviewSchema = z.object({
  action: z.enum(['correct', 'relabel', 'flag', 'note']),
  intent: z.string().min(1).max(100).optional(),
  note: z.string().max(2000).optional(),
});

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const session = await requireAdminMutation(request);
    const id = parseId((await params).id, 'The prediction id');
    const input = await readJson(request, reviewSchema, 8192);
    const review = await reviewPrediction(id, session.user.id, input, reviewLabels);
    return Response.json({ review }, { status: 201 });
  });
}
