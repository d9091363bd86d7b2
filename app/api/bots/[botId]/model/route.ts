import { activeModelAnswer } from '@/lib/model/version-files';
import { respond } from '@/lib/http/errors';

/**
 * GET /api/bots/:botId/model: `{ botId, version, url }` of the version the bot serves now. The
 * chat asks before classifying each message, so it is never cached.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ botId: string }> }) {
  return respond(async () => activeModelAnswer((await params).botId));
}
