/**
 * Where a request comes from, as browsers tell it, and what a body is said to be.
 *
 * The app's own origin is the host the request was addressed to: `X-Forwarded-Host` when a proxy
 * in front forwards the public host (Next sets it to `Host` otherwise), else `Host`. No setting is
 * needed, and it holds on every name the app is served under. A page on another origin cannot
 * change either header: setting one is a non-simple request, which needs a CORS preflight this
 * app never grants.
 */
export function requestHost(headers: Headers): string | null {
  const host = (headers.get('x-forwarded-host') ?? headers.get('host'))?.split(',')[0]?.trim().toLowerCase();
  return host ? host : null;
}

/** The host:port of an `Origin` header, or null when it is `null`, empty or not a URL. */
export function originHost(origin: string | null): string | null {
  if (!origin) return null;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : null;
  } catch {
    return null;
  }
}

/** Sec-Fetch-Site values of requests another site's page started. */
const FOREIGN_SITES = new Set(['cross-site', 'same-site']);

/**
 * True for a request a page on another origin sent: its `Origin` names another host, or is
 * `null` (sandboxed frames, some redirects), or `Sec-Fetch-Site` says another site started it.
 * A request with neither header comes from a program, not a browser page.
 */
export function isCrossOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && FOREIGN_SITES.has(site.toLowerCase())) return true;
  if (origin === null) return false;
  const host = requestHost(request.headers);
  return !host || originHost(origin) !== host;
}

/**
 * True for `application/json`, with parameters allowed but no charset other than UTF-8 (the
 * body is read as UTF-8). Browsers send text/plain, form and multipart bodies to any site
 * without asking; a JSON body from another origin needs a CORS preflight first, which this app
 * never grants.
 */
export function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  const [mediaType, ...parameters] = header.split(';');
  if (mediaType!.trim().toLowerCase() !== 'application/json') return false;
  for (const parameter of parameters) {
    const separator = parameter.indexOf('=');
    if (separator < 0) {
      if (parameter.trim() === '') continue;
      return false;
    }
    const name = parameter.slice(0, separator).trim().toLowerCase();
    const value = parameter.slice(separator + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') return false;
  }
  return true;
}
