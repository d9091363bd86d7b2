import { describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy, createNonce } from '@/lib/security/csp';

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
