import { describe, expect, it } from 'vitest';
import { forwardedAddress, normaliseAddress, PEER_ADDRESS_HEADER, peerAddress, UNKNOWN_CLIENT } from '@/lib/http/client-address';
import { clientKey } from '@/lib/http/rate-limit';

describe('client addresses for rate limits', () => {
  it('reads IPv4 and IPv6 addresses, in the forms proxies write them', () => {
    expect(normaliseAddress(' 203.0.113.7 ')).toBe('203.0.113.7');
    expect(normaliseAddress('203.0.113.7:5123')).toBe('203.0.113.7');
    expect(normaliseAddress('2001:DB8::1')).toBe('2001:db8::1');
    expect(normaliseAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(normaliseAddress('::ffff:198.51.100.2')).toBe('198.51.100.2');
  });

  it.each(['', ' ', 'unknown', 'spoofed.example', '<script>', '999.1.1.1', '1.2.3', 'a'.repeat(500), '203.0.113.7 203.0.113.8'])('treats %j as no address', (entry) => {
    expect(normaliseAddress(entry)).toBeNull();
  });

  it('counts forwarded entries from the right, as many as there are trusted proxies', () => {
    expect(forwardedAddress('spoofed.example, 203.0.113.7', 0)).toBe('203.0.113.7');
    expect(forwardedAddress('198.51.100.1, 203.0.113.7, 10.0.0.1', 2)).toBe('203.0.113.7');
    expect(forwardedAddress(null, 0)).toBeNull();
    // Found by attack: an empty or malformed header made the client "unknown", with no limit at all.
    for (const header of ['', ',', ' , ', 'garbage', '203.0.113.7, ', `${','.repeat(5000)}`]) expect(forwardedAddress(header, 0)).toBeNull();
  });

  it('falls back from a malformed header to the socket address, and else to one shared bucket, never to none', () => {
    expect(clientKey(new Headers({ 'x-forwarded-for': '203.0.113.7' }), 0)).toBe('203.0.113.7');
    for (const header of ['', ',', 'garbage']) expect(clientKey(new Headers({ 'x-forwarded-for': header }), 0)).toBe(UNKNOWN_CLIENT);
    expect(clientKey(new Headers(), 0)).toBe(UNKNOWN_CLIENT);
  });

  it('believes the peer header only where this process writes it', () => {
    // Not recorded in this process (no server started it): a client could have sent it.
    const forged = new Headers({ 'x-forwarded-for': ',', [PEER_ADDRESS_HEADER]: '198.51.100.9' });
    expect(peerAddress(forged)).toBeNull();
    expect(clientKey(forged, 0)).toBe(UNKNOWN_CLIENT);
  });
});
