import { unstable_doesMiddlewareMatch } from 'next/experimental/testing/server';
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy, createNonce } from '@/lib/security/csp';
import { config, proxy } from '@/proxy';

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((part) => {
    const [name, ...sources] = part.trim().split(/\s+/);
    return [name!, sources];
  }));
}

describe('content security policy', () => {
  it('allows no host but this one, in production and development', () => {
    for (const development of [false, true]) {
      const policy = directives(buildContentSecurityPolicy('abc', { development }));
      for (const [name, sources] of policy) {
        for (const source of sources) {
          // Only keywords, this origin, the nonce and local schemes: never a host name or a wildcard.
          expect(source, `${name} ${source}`).toMatch(/^('self'|'none'|'strict-dynamic'|'wasm-unsafe-eval'|'unsafe-inline'|'unsafe-eval'|'nonce-abc'|data:|blob:|ws:)$/);
        }
      }
    }
  });

  it('lets scripts run only with the nonce and refuses framing, plugins and foreign forms', () => {
    const policy = directives(buildContentSecurityPolicy('n0nce'));
    expect(policy.get('script-src')).toContain("'nonce-n0nce'");
    expect(policy.get('script-src')).not.toContain("'unsafe-inline'");
    expect(policy.get('script-src')).not.toContain("'unsafe-eval'");
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'self'"]);
  });

  it('makes a new unpredictable nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });
});

describe('the proxy that sets the page policy', () => {
  const matches = (url: string, headers: Record<string, string> = {}) => unstable_doesMiddlewareMatch({ config, url, headers });

  // Found by attack: prefetched pages came without a policy, and the browser may show them later.
  it.each([
    ['a plain page request', {}],
    ['a prefetch (Purpose)', { purpose: 'prefetch' }],
    ['a router prefetch', { 'next-router-prefetch': '1', rsc: '1' }],
    ['an RSC navigation', { rsc: '1' }],
    ['a segment prefetch', { 'next-router-segment-prefetch': '/_tree', 'next-router-prefetch': '1', rsc: '1' }],
  ])('runs for %s of every page', (_what, headers) => {
    for (const url of ['/', '/admin', '/admin/login', '/admin/overview?days=7', '/admin/predictions/00000000-0000-4000-8000-000000000000']) {
      expect(matches(url, headers), url).toBe(true);
    }
  });

  it('leaves static files, model files and the runtime alone, and API paths unless they hold a %', () => {
    for (const url of ['/_next/static/chunks/app.js', '/models/banking77/config.json', '/ort/1.0.0/ort.wasm', '/favicon.ico', '/api/turns']) expect(matches(url), url).toBe(false);
    expect(matches('/api/conversations/%zz')).toBe(true);
  });

  it('answers a prefetch with the policy and a fresh nonce', () => {
    const policies = ['prefetch', 'prefetch'].map((purpose) => proxy(new NextRequest('http://chat.example/admin', { headers: { purpose } })).headers.get('content-security-policy'));
    for (const policy of policies) expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'/);
    expect(policies[0]).not.toBe(policies[1]);
  });
});
