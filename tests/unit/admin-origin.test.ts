import { describe, expect, it } from 'vitest';
import { assertSameOrigin, sessionCookieName, sessionCookieOptions } from '@/lib/auth/session';
import { UNKNOWN_CLIENT } from '@/lib/http/client-address';
import { clientKey } from '@/lib/http/rate-limit';
import { sameSecret, sessionIdOf } from '@/lib/auth/tokens';

const post = (headers: Record<string, string>) => new Request('http://admin.example/api/admin/logout', { method: 'POST', headers });

describe('same-origin check for state-changing admin requests', () => {
  it('accepts the admin pages themselves', () => {
    expect(() => assertSameOrigin(post({ host: 'admin.example', origin: 'http://admin.example', 'sec-fetch-site': 'same-origin' }))).not.toThrow();
    // Behind a proxy that forwards the public host.
    expect(() => assertSameOrigin(post({ host: '10.0.0.5:3000', 'x-forwarded-host': 'admin.example', origin: 'https://admin.example' }))).not.toThrow();
  });

  it.each([
    ['no Origin', { host: 'admin.example' }],
    ['another site', { host: 'admin.example', origin: 'https://evil.example' }],
    ['another port', { host: 'admin.example', origin: 'http://admin.example:8080' }],
    ['a cross-site fetch', { host: 'admin.example', origin: 'http://admin.example', 'sec-fetch-site': 'cross-site' }],
    ['a malformed Origin', { host: 'admin.example', origin: 'null' }],
  ])('refuses %s with a 403', (_name, headers) => {
    expect(() => assertSameOrigin(post(headers))).toThrow(expect.objectContaining({ status: 403, code: 'cross_origin' }));
  });
});

describe('session tokens and cookies', () => {
  it('stores the SHA-256 of the token, compares secrets fully', () => {
    expect(sessionIdOf('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sameSecret('token', 'token')).toBe(true);
    expect(sameSecret('token', 'tokeN')).toBe(false);
    expect(sameSecret('token', 'token2')).toBe(false);
  });

  it('sets an httpOnly, SameSite=Strict cookie', () => {
    const expires = new Date('2026-01-01T00:00:00Z');
    expect(sessionCookieOptions(expires)).toMatchObject({ httpOnly: true, sameSite: 'strict', path: '/', expires });
    // Tests run outside production: no Secure flag, no __Host- prefix (those are checked end to end).
    expect(sessionCookieName()).toBe('glassdesk-admin');
  });

  it('keys clients by the forwarded address a trusted proxy wrote, not one the client wrote', () => {
    // The last entry is the one the nearest proxy (or `next start` itself) wrote; the client wrote the rest.
    expect(clientKey(new Headers({ 'x-forwarded-for': '203.0.113.7' }), 0)).toBe('203.0.113.7');
    expect(clientKey(new Headers({ 'x-forwarded-for': 'spoofed.example, 203.0.113.7' }), 0)).toBe('203.0.113.7');
    expect(clientKey(new Headers({ 'x-forwarded-for': 'spoofed.example, 203.0.113.7' }), 1)).toBe('203.0.113.7');
    // Two proxies: the outer one appended the client, the inner one appended the outer proxy.
    expect(clientKey(new Headers({ 'x-forwarded-for': 'spoofed.example, 203.0.113.7, 10.0.0.1' }), 2)).toBe('203.0.113.7');
    // Headers nobody in front of the app writes are ignored; with no address known, the one shared bucket.
    expect(clientKey(new Headers({ 'x-real-ip': '198.51.100.2' }), 0)).toBe(UNKNOWN_CLIENT);
    expect(clientKey(new Headers(), 0)).toBe(UNKNOWN_CLIENT);
  });
});
