import { cookies } from 'next/headers';
import { requireAdminMutation, sessionCookieName } from '@/lib/auth/session';
import { revokeSession } from '@/lib/auth/admins';
import { respond } from '@/lib/http/errors';

export async function POST(request: Request) {
  return respond(async () => {
    await requireAdminMutation(request);
    const jar = await cookies();
    const token = jar.get(sessionCookieName())?.value;
    if (token) await revokeSession(token);
    jar.delete(sessionCookieName());
    return new Response(null, { status: 204 });
  });
}
