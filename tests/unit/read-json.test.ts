import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError, MAX_JSON_DEPTH, hasMalformedEscapes, makeStorable, readJson, storableText } from '@/lib/http/errors';

const post = (body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) =>
  new Request('http://localhost/api', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
const freeForm = z.object({ extra: z.record(z.string(), z.unknown()) });

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('readJson', () => {
  // Found by the API fuzz: free-form fields nested thousands deep passed the schema, and storing
  // them overflowed the stack in JSON serialisation (a 500).
  it('refuses a body nested deeper than MAX_JSON_DEPTH, even where the schema takes anything', async () => {
    const tooDeep = await refusal(readJson(post(`{"extra":${nested(10_000)}}`), freeForm, 1024 * 1024));
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.message).toContain(`${MAX_JSON_DEPTH} levels`);
    expect((await refusal(readJson(post(`{"extra":${nested(MAX_JSON_DEPTH)}}`), freeForm, 1024 * 1024))).status).toBe(400);
    // The root object is level 1: free-form data may use every level below it.
    await expect(readJson(post(`{"extra":${nested(MAX_JSON_DEPTH - 1)}}`), freeForm, 1024 * 1024)).resolves.toHaveProperty('extra.a');
    const arrays = `{"extra":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    expect((await refusal(readJson(post(arrays), freeForm, 1024 * 1024))).status).toBe(400);
  });

  it('answers a body the client abandoned half-way with a 400, not an internal error', async () => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error('aborted'));
        sent = true;
        controller.enqueue(new TextEncoder().encode('{"extra":{"a":'));
      },
    });
    const request = new Request('http://localhost/api', { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json' } } as RequestInit);
    const error = await refusal(readJson(request, freeForm, 4096));
    expect(error.status).toBe(400);
    expect(error.message).toContain('did not arrive complete');
  });

  it('hands back lone surrogates and NUL as U+FFFD, keeping every position, in values and keys', async () => {
    const body = JSON.stringify({ extra: { 'k\u0000': ['a\uD800b', { '\uDFFF': 'c\u0000d\u{1F600}' }] } });
    const read = await readJson(post(body), freeForm, 4096);
    expect(read).toEqual({ extra: { 'k\uFFFD': ['a\uFFFDb', { '\uFFFD': 'c\uFFFDd\u{1F600}' }] } });
  });

  it('leaves a "__proto__" key an own property, never a prototype', async () => {
    const read = (await readJson(post('{"extra":{"__proto__":{"polluted":true},"x\\u0000":1}}'), freeForm, 4096)) as { extra: Record<string, unknown> };
    expect(Object.getPrototypeOf(read.extra)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses bodies over the cap, not UTF-8, or not JSON', async () => {
    expect((await refusal(readJson(post('x'.repeat(5000)), freeForm, 4096))).status).toBe(413);
    expect((await refusal(readJson(post(new Uint8Array([0x7b, 0xff, 0x7d])), freeForm, 4096))).status).toBe(400);
    expect((await refusal(readJson(post('{"extra":'), freeForm, 4096))).status).toBe(400);
  });
});

describe('readJson from browsers', () => {
  const body = '{"extra":{}}';

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"', 'application/json ; charset=utf8'])('reads a body sent as %j', async (type) => {
    await expect(readJson(post(body, { 'content-type': type }), freeForm, 4096)).resolves.toEqual({ extra: {} });
  });

  // What a page on another origin can send without a CORS preflight: text/plain, a form, multipart, or no type at all.
  it.each(['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json, text/plain', 'application/jsonp', 'application/json; charset=utf-16le', 'application/json; junk'])(
    'refuses a body sent as %j with a 415 before reading it',
    async (type) => {
      const error = await refusal(readJson(post(body, { 'content-type': type }), freeForm, 4096));
      expect(error).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    },
  );

  it('refuses a body with no Content-Type with a 415', async () => {
    const request = new Request('http://localhost/api', { method: 'POST', body: new Blob([body]) });
    expect(request.headers.get('content-type')).toBeNull();
    expect(await refusal(readJson(request, freeForm, 4096))).toMatchObject({ status: 415 });
  });

  it('takes requests from its own origin, and from programs that send no Origin', async () => {
    const own = { host: 'chat.example', origin: 'https://chat.example', 'sec-fetch-site': 'same-origin' };
    await expect(readJson(post(body, own), freeForm, 4096)).resolves.toEqual({ extra: {} });
    await expect(readJson(post(body, { host: 'chat.example' }), freeForm, 4096)).resolves.toEqual({ extra: {} });
    // Behind a proxy that forwards the public host.
    await expect(readJson(post(body, { host: '10.0.0.5:3000', 'x-forwarded-host': 'chat.example', origin: 'https://chat.example' }), freeForm, 4096)).resolves.toEqual({ extra: {} });
  });

  it.each([
    ['another site', { host: 'chat.example', origin: 'https://evil.example' }],
    ['another port', { host: 'chat.example', origin: 'https://chat.example:8443' }],
    ['a look-alike host', { host: 'chat.example', origin: 'https://chat.example.evil.example' }],
    ['Origin null', { host: 'chat.example', origin: 'null' }],
    ['a non-web scheme', { host: 'chat.example', origin: 'chrome-extension://chat.example' }],
    ['a cross-site fetch without Origin', { host: 'chat.example', 'sec-fetch-site': 'cross-site' }],
    ['a same-site fetch from a sibling host', { host: 'chat.example', origin: 'https://chat.example', 'sec-fetch-site': 'same-site' }],
  ])('refuses %s with a 403, even with a JSON type', async (_what, headers) => {
    expect(await refusal(readJson(post(body, headers), freeForm, 4096))).toMatchObject({ status: 403, code: 'cross_origin' });
  });
});

describe('storable text', () => {
  it('replaces unit for unit and leaves well-formed text alone', () => {
    expect(storableText('a\uD83Db')).toBe('a\uFFFDb');
    expect(storableText('\u{1F600}\u0000')).toBe('\u{1F600}\uFFFD');
    const plain = 'my card has not arrived';
    expect(storableText(plain)).toBe(plain);
    const root = { value: 'x\u0000' };
    expect(makeStorable(root)).toBe(true);
    expect(root.value).toBe('x\uFFFD');
  });
});

describe('malformed percent-escapes', () => {
  // Found by the API fuzz: Next's router answered these paths with a bare 500.
  it('finds escapes that do not decode, and accepts encoded text', () => {
    for (const path of ['/api/conversations/%', '/api/conversations/%zz', '/api/x/%E0%A4%A', '/api/x/%ED%A0%80', '/api/x/%C0%AF']) expect(hasMalformedEscapes(path), path).toBe(true);
    for (const path of ['/api/conversations/a%2Fb', '/api/x/%F0%9F%98%80', '/admin', '/api/x/%20']) expect(hasMalformedEscapes(path), path).toBe(false);
  });
});
