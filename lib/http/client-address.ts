import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { isIP, type Socket } from 'node:net';

/**
 * The address a request came from, for per-client limits.
 *
 * Route handlers see headers, not the socket: `next start` writes the peer's address into
 * `X-Forwarded-For` only when the request has none, so a client that sends the header empty or
 * as garbage would leave its address unknown. `recordPeerAddresses` (run once per server process
 * from instrumentation.ts) therefore has Node's HTTP server, as it takes each request, write the
 * socket's address into a header of our own, overwriting whatever a client put there. The header
 * is believed only in a process where that hook runs; anywhere else (another host's runtime,
 * tests calling handlers directly) it is the client's and ignored.
 */
export const PEER_ADDRESS_HEADER = 'x-glassdesk-peer-address';

/** The one bucket shared by requests whose address cannot be known: never no limit at all. */
export const UNKNOWN_CLIENT = 'unknown';

const RECORDING = Symbol.for('glassdesk.recordsPeerAddresses');
type Recording = { [RECORDING]?: (message: unknown) => void };

/** Has this process's HTTP server stamp every request with its socket's address. */
export function recordPeerAddresses(): void {
  const global = globalThis as Recording;
  if (global[RECORDING]) return;
  // Published by Node's HTTP (and HTTPS) server for each request before its handler sees it.
  const stamp = (message: unknown) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    request.headers[PEER_ADDRESS_HEADER] = socket.remoteAddress ?? '';
  };
  diagnosticsChannel.subscribe('http.server.request.start', stamp);
  // Held here too, so the subscription lives as long as the process.
  global[RECORDING] = stamp;
}

/** The socket's address as the server recorded it, or null when this process does not record it. */
export function peerAddress(headers: Headers): string | null {
  if (!(globalThis as Recording)[RECORDING]) return null;
  return normaliseAddress(headers.get(PEER_ADDRESS_HEADER) ?? '');
}

/**
 * An IP address as a bucket key: IPv4-mapped IPv6 as plain IPv4, lower case, brackets and a port
 * (`[2001:db8::1]:443`, `203.0.113.7:5000`, as some proxies write) dropped. Null when it is not
 * an address at all: an empty entry, `unknown`, a host name, garbage.
 */
export function normaliseAddress(entry: string): string | null {
  let address = entry.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^[\d.]+:\d{1,5}$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  if (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4) address = address.slice(7);
  return isIP(address) ? address : null;
}

/**
 * The client's address from `X-Forwarded-For`, counted from the right: every proxy appends the
 * address it saw, so with `trustedProxies` = n the entry the outermost of them wrote is the n-th
 * from the right (with 0 or 1, the last). Entries further left were written by the client. Null
 * when the header is missing or that entry is not an address.
 */
export function forwardedAddress(header: string | null, trustedProxies: number): string | null {
  if (header === null) return null;
  const entries = header.split(',');
  // Bounded: a header of thousands of commas is no slower to read than a short one.
  const entry = entries[entries.length - Math.max(1, trustedProxies)] ?? entries[0]!;
  return entry.length <= 64 ? normaliseAddress(entry) : null;
}
