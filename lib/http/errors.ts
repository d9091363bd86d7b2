import { z } from 'zod';
import { StoreError, type StoreErrorCode } from '@/lib/db/errors';
// A type only: this module is also the proxy's, which must not load the model store.
import type { ModelVersionErrorCode } from '@/lib/model/versions';
import { isCrossOrigin, isJsonContentType } from './request-origin';

/** An error the API answers with a 4xx and a JSON body that says what is wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After on a 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, details?: unknown) => new ApiError(400, 'bad_request', message, details);
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} was not found.`);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);
export const payloadTooLarge = (limit: number) => new ApiError(413, 'payload_too_large', `The request body is larger than ${limit} bytes.`);

/** What a client is told when the store refuses a write: one answer per StoreError code. */
export const STORE_ERROR_ANSWERS = {
  message_position_taken: () => conflict('Another message is already stored at that position in the conversation.'),
  message_in_other_conversation: () => conflict('That message id belongs to another conversation.'),
  prediction_not_found: () => notFound('That prediction'),
} as const satisfies Record<StoreErrorCode, () => ApiError>;

/**
 * What a client is told when a model version change is refused (lib/model/versions.ts
 * `ModelVersionError`): one answer per code, saying the refusal's own sentence.
 */
export const MODEL_VERSION_ERROR_ANSWERS = {
  invalid: (message) => badRequest(message),
  not_found: (message) => new ApiError(404, 'not_found', message),
  retired: (message) => new ApiError(409, 'version_retired', message),
  active: (message) => new ApiError(409, 'version_active', message),
  no_previous: (message) => new ApiError(409, 'no_previous_version', message),
  conflict: (message) => conflict(message),
} as const satisfies Record<ModelVersionErrorCode, (message: string) => ApiError>;

/** The API's answer to a refused model version change. */
export function modelVersionApiError(error: { code: ModelVersionErrorCode; message: string }): ApiError {
  return MODEL_VERSION_ERROR_ANSWERS[error.code](error.message);
}

/** The API's answer to a store refusal. */
export function apiErrorOf(error: StoreError): ApiError {
  return STORE_ERROR_ANSWERS[error.code]();
}

export type ApiErrorBody = { error: { code: string; message: string; details?: unknown } };

export function errorResponse(thrown: unknown): Response {
  const error = thrown instanceof StoreError ? apiErrorOf(thrown) : thrown;
  if (error instanceof ApiError) {
    const body: ApiErrorBody = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
    return Response.json(body, { status: error.status, headers: error.headers });
  }
  console.error(error);
  return Response.json({ error: { code: 'internal', message: 'Something went wrong on our side; nothing was stored.' } }, { status: 500 });
}

/** How deep a request body may nest: real records nest under ten levels, and thousands would overflow the stack of whatever serialises them next. */
export const MAX_JSON_DEPTH = 32;

const UNSTORABLE = /[\u0000\uD800-\uDFFF]/;

/** The string with lone surrogates and NUL as U+FFFD, one code unit for one, so every position is kept. */
export function storableText(text: string): string {
  return UNSTORABLE.test(text) ? text.toWellFormed().replaceAll('\u0000', '\uFFFD') : text;
}

/**
 * Makes parsed JSON storable as text in either database, in place and without recursion: JSON
 * escapes can carry lone UTF-16 surrogates, which UTF-8 cannot hold (SQLite would hand back
 * three U+FFFD for one), and NUL, which PostgreSQL refuses in text and jsonb. Both become
 * U+FFFD in values and keys. False when the value nests deeper than `maxDepth`.
 */
export function makeStorable(root: { value: unknown }, maxDepth = MAX_JSON_DEPTH): boolean {
  const pending: [container: Record<string, unknown>, depth: number][] = [[root as Record<string, unknown>, 0]];
  while (pending.length > 0) {
    const [container, depth] = pending.pop()!;
    for (const key of Object.keys(container)) {
      let value = container[key];
      if (typeof value === 'string') value = container[key] = storableText(value);
      else if (typeof value === 'object' && value !== null) {
        if (depth + 1 > maxDepth) return false;
        pending.push([value as Record<string, unknown>, depth + 1]);
      }
      const storableKey = storableText(key);
      if (storableKey !== key) {
        delete container[key];
        Object.defineProperty(container, storableKey, { value, enumerable: true, writable: true, configurable: true });
      }
    }
  }
  return true;
}

/**
 * Reads and validates a JSON body, refusing it past `maxBytes` without reading further, and
 * nested deeper than MAX_JSON_DEPTH; strings come out storable (see `makeStorable`). Before
 * any byte is read, a request another origin's page sent is refused (403), and so is a body
 * not declared `application/json` (415), which a browser would send cross-origin without a
 * preflight (lib/http/request-origin.ts).
 */
export async function readJson<T>(request: Request, schema: z.ZodType<T>, maxBytes: number): Promise<T> {
  if (isCrossOrigin(request)) throw new ApiError(403, 'cross_origin', 'This API takes requests from this site’s own pages only.');
  if (!isJsonContentType(request.headers.get('content-type'))) {
    throw new ApiError(415, 'unsupported_media_type', 'The request body must be JSON sent with Content-Type: application/json.');
  }
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw payloadTooLarge(maxBytes);
  const reader = request.body?.getReader();
  if (!reader) throw badRequest('The request has no body.');
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let read: ReadableStreamReadResult<Uint8Array>;
    try {
      read = await reader.read();
    } catch {
      // The client went away mid-body: a 4xx, not an internal error worth logging.
      throw badRequest('The request body did not arrive complete.');
    }
    const { done, value } = read;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const parsed: { value: unknown } = { value: undefined };
  try {
    parsed.value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
  } catch {
    throw badRequest('The request body is not valid UTF-8 JSON.');
  }
  if (!makeStorable(parsed)) throw badRequest(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  const result = schema.safeParse(parsed.value);
  if (!result.success) {
    throw invalidBody(result.error);
  }
  return result.data;
}

/** The 400 for a body the schema refuses, naming each field that is wrong. */
export function invalidBody(error: z.ZodError): ApiError {
  return badRequest(
    'The request body is not valid.',
    error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}

/** Runs a route handler's work and turns any error into the JSON error answer. */
export async function respond(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    return errorResponse(error);
  }
}

/** True when the path's percent-escapes do not decode (`/api/conversations/%zz`): Next's router would answer a bare 500. */
export function hasMalformedEscapes(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

export const malformedPathResponse = () => errorResponse(badRequest('The address has a malformed percent-escape (%).'));

export function parseId(value: string, what: string): string {
  const result = z.uuid().safeParse(value);
  if (!result.success) throw badRequest(`${what} must be a UUID.`);
  return result.data;
}
