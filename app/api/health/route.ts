import { checkDatabase } from '@/lib/db/health';

export const dynamic = 'force-dynamic';

export async function GET() {
  const database = await checkDatabase();
  return Response.json({ status: database.ok ? 'ok' : 'degraded', database }, { status: database.ok ? 200 : 503 });
}
