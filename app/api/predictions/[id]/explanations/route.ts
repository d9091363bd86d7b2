import { ingestExplanations } from '@/lib/ingest/explanations';
import { respond } from '@/lib/http/errors';

/** A prediction's explanations, fitted to its stored message before they are stored (lib/ingest/explanations.ts). */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => ingestExplanations(request, (await params).id));
}
