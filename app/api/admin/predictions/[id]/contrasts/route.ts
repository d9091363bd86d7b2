import { requireAdminMutation } from '@/lib/auth/session';
import { respond } from '@/lib/http/errors';
import { ingestOperatorContrast } from '@/lib/ingest/explanations';

/** A contrast an operator computed for a stored prediction, fitted and stored like the chat's explanations (lib/ingest/explanations.ts). */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    await requireAdminMutation(request);
    return ingestOperatorContrast(request, (await params).id);
  });
}
