import { NextResponse, type NextRequest } from 'next/server';
import { hasMalformedEscapes, malformedPathResponse } from '@/lib/http/errors';
import { buildContentSecurityPolicy, createNonce } from '@/lib/security/csp';

// A fresh nonce per page request; Next reads it from the request's CSP header and puts it
// on its own scripts.
export function proxy(request: NextRequest) {
  // Next's router answers a path whose escapes do not decode with a bare 500: refuse it here.
  if (hasMalformedEscapes(request.nextUrl.pathname)) return malformedPathResponse();
  // API answers keep their own policy (next.config.mjs).
  if (request.nextUrl.pathname.startsWith('/api/')) return NextResponse.next();
  const nonce = createNonce();
  const policy = buildContentSecurityPolicy(nonce, { development: process.env.NODE_ENV === 'development' });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  matcher: [
    // API paths only when they hold a '%': the check above must see the malformed ones.
    '/api/:path(.*%.*)',
    // Model files likewise: only a path with a '%' needs the check.
    '/models/:path(.*%.*)',
    // Pages: static files, model files and the ONNX runtime need no nonce. Prefetches and RSC
    // requests (`Purpose: prefetch`, `Next-Router-Prefetch`, `RSC`) are pages too: a response
    // the browser keeps and shows later must carry the policy like any other.
    '/((?!api|_next/static|_next/image|models/|ort/|favicon.ico).*)',
  ],
};
