import 'server-only';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { isBotId, versionUrl } from '@/lib/bot/registry';
import { ApiError, errorResponse } from '@/lib/http/errors';
import { activeVersion, storedVersion, versionDir } from './versions';

/**
 * The files of stored model versions as the browser fetches them
 * (`/models/<botId>/<hash>/<file>`, lib/bot/registry `versionUrl`). A version's folder in the
 * store never changes, so its files may be cached for good; a version that is retired, unknown
 * or not a hash, and any name that is not one of its files, is not found.
 */

/** A year: what browsers accept as "for good"; `immutable` spares them revalidating on reload. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/** The audit report stored beside a version is the admin's, not the browser's (and not part of the version's hash). */
const NOT_SERVED = new Set(['audit.json']);

/** A path segment of a model file: plain names only (no `.` or `..`, no separators, no hidden files). */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Model folders are shallow (`onnx/model.onnx`). */
const MAX_DEPTH = 3;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

export type VersionFile = { file: string; size: number; contentType: string; etag: string };

/**
 * The file `segments` of version `hash` of `botId`, when that version is stored and not retired
 * and the name is a regular file inside its folder; else null. Symbolic links are not followed
 * out of the folder: the file's real path must lie inside the version's real folder.
 */
export async function findVersionFile(botId: string, hash: string, segments: readonly string[], store?: string): Promise<VersionFile | null> {
  const dir = versionDir(botId, hash, store);
  if (dir === null) return null;
  if (segments.length === 0 || segments.length > MAX_DEPTH || !segments.every((segment) => SEGMENT.test(segment) && !segment.includes('..'))) return null;
  const relative = segments.join('/');
  if (NOT_SERVED.has(relative)) return null;
  const version = await storedVersion(botId, hash);
  if (!version || version.retiredAt) return null;
  const file = path.join(dir, ...segments);
  let stats: Stats;
  try {
    stats = await lstat(/*turbopackIgnore: true*/ file);
    if (!stats.isFile()) return null;
    const [realDir, realFile] = await Promise.all([realpath(/*turbopackIgnore: true*/ dir), realpath(/*turbopackIgnore: true*/ file)]);
    if (!realFile.startsWith(realDir + path.sep)) return null;
  } catch {
    return null;
  }
  const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  // The version's hash names its bytes, and the file's path within it: a strong validator.
  return { file, size: stats.size, contentType, etag: `"${hash.slice(0, 16)}-${relative.replace(/[^\w.-]/g, '_')}"` };
}

/** The headers every answer with a version's file carries. */
function fileHeaders(found: VersionFile, length: number): Headers {
  return new Headers({
    'Content-Type': found.contentType,
    'Content-Length': String(length),
    'Cache-Control': IMMUTABLE_CACHE,
    ETag: found.etag,
    'Accept-Ranges': 'bytes',
  });
}

/** One `bytes=` range of a file of `size` bytes, inclusive; null when the header is not one satisfiable range. */
export function parseRange(header: string, size: number): { start: number; end: number } | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '') || size === 0) return null;
  if (match[1] === '') {
    // The last N bytes.
    const suffix = Number(match[2]);
    if (suffix === 0) return null;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return null;
  return { start, end };
}

/**
 * The answer to a GET (or HEAD, without the body) of a version's file: 404 when there is none,
 * 304 when the browser holds it already, 206 for one satisfiable byte range (416 otherwise),
 * else 200 with the file streamed from disk.
 */
export async function versionFileResponse(request: Request, botId: string, hash: string, segments: readonly string[], store?: string): Promise<Response> {
  const found = await findVersionFile(botId, hash, segments, store);
  if (!found) return notFoundResponse();
  const head = request.method === 'HEAD';
  if (request.headers.get('if-none-match')?.split(',').some((tag) => tag.trim() === found.etag)) {
    const headers = fileHeaders(found, 0);
    headers.delete('Content-Length');
    return new Response(null, { status: 304, headers });
  }
  const rangeHeader = request.headers.get('range');
  if (rangeHeader !== null) {
    const range = parseRange(rangeHeader, found.size);
    if (!range) return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${found.size}`, 'Cache-Control': 'no-store' } });
    const headers = fileHeaders(found, range.end - range.start + 1);
    headers.set('Content-Range', `bytes ${range.start}-${range.end}/${found.size}`);
    return new Response(head ? null : stream(found.file, range), { status: 206, headers });
  }
  return new Response(head ? null : stream(found.file), { status: 200, headers: fileHeaders(found, found.size) });
}

function stream(file: string, range?: { start: number; end: number }): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(/*turbopackIgnore: true*/ file, range)) as ReadableStream<Uint8Array>;
}

/** Not found, and not to be cached: a version registered later is found at once. */
function notFoundResponse(): Response {
  return errorResponse(new ApiError(404, 'not_found', 'That model file was not found.', undefined, { 'Cache-Control': 'no-store' }));
}

/** What `GET /api/bots/:botId/model` answers: the version a bot serves now and where its files are. */
export type ActiveModel = { botId: string; version: string; url: string };

/**
 * The answer naming the bot's active version (never cached: a promotion must reach the next
 * message), or 404 for a bot that serves none.
 */
export async function activeModelAnswer(botId: string): Promise<Response> {
  const active = isBotId(botId) ? await activeVersion(botId) : null;
  if (!active) throw new ApiError(404, 'not_found', 'That bot serves no model here.', undefined, { 'Cache-Control': 'no-store' });
  const body: ActiveModel = { botId, version: active.hash, url: versionUrl(botId, active.hash) };
  return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
}
