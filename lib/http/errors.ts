import { z } from 'zod';

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

export type ApiErrorBody = { error: { code: string; message: string; details?: unknown } };

export function errorResponse(error: unknown): Response {
  if (error instanceof ApiError) {
    const body: ApiErrorBody = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
    return Response.json(body, { status: error.status, headers: error.headers });
  }
  console.error(error);
  return Response.json({ error: { code: 'internal', message: 'Something went wrong on our side; nothing was stored.' } }, { status: 500 });
}

/** Reads and validates a JSON body, refusing it past `maxBytes` without reading further. */
export async function readJson<T>(request: Request, schema: z.ZodType<T>, maxBytes: number): Promise<T> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw payloadTooLarge(maxBytes);
  const reader = request.body?.getReader();
  if (!reader) throw badRequest('The request has no body.');
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
  } catch {
    throw badRequest('The request body is not valid UTF-8 JSON.');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw badRequest(
      'The request body is not valid.',
      result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return result.data;
}

/** Runs a route handler's work and turns any error into the JSON error answer. */
export async function respond(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    return errorResponse(error);
  }
}

export function parseId(value: string, what: string): string {
  const result = z.uuid().safeParse(value);
  if (!result.success) throw badRequest(`${what} must be a UUID.`);
  return result.data;
}
