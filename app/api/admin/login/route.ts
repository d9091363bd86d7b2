import { z } from 'zod';
import { attemptLogin } from '@/lib/auth/login';
import { PASSWORD_MAX_LENGTH } from '@/lib/auth/password';
import { assertSameOrigin, sessionCookieName, sessionCookieOptions } from '@/lib/auth/session';
import { ApiError, readJson, respond } from '@/lib/http/errors';
import { clientKey, tooManyRequests } from '@/lib/http/rate-limit';
import { cookies } from 'next/headers';

const credentials = z.object({ email: z.string().trim().min(3).max(254), password: z.string().min(1).max(PASSWORD_MAX_LENGTH) });

export async function POST(request: Request) {
  return respond(async () => {
    assertSameOrigin(request);
    const { email, password } = await readJson(request, credentials, 4096);
    const outcome = await attemptLogin(email, password, clientKey(request.headers));
    if (!outcome.ok && outcome.reason === 'rate_limited') {
      throw tooManyRequests(outcome.retryAfterSeconds, `Too many sign-in attempts; try again in ${Math.ceil(outcome.retryAfterSeconds / 60)} minutes.`);
    }
    if (!outcome.ok) throw new ApiError(401, 'invalid_credentials', 'That e-mail and password do not match an admin account.');
    (await cookies()).set(sessionCookieName(), outcome.token, sessionCookieOptions(outcome.expiresAt));
    return Response.json({ email: outcome.user.email, role: outcome.user.role }, { headers: { 'Cache-Control': 'no-store' } });
  });
}
