import { ingestExplanations } from '@/lib/chat/ingest-explanations';
import { respond } from '@/lib/http/errors';

/** A prediction's explanations, fitted to its stored message before they are stored (lib/chat/ingest-explanations.ts). */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => ingestExplanations(request, (await params).id));
}
