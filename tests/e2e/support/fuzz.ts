import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

/**
 * Generators for the API fuzz (tests/e2e/api-fuzz.spec.ts): hostile request bodies, path ids
 * and query strings, and the valid records they are mutated from. Bodies are text or bytes
 * sent as they are, never re-encoded by the client, so malformed JSON reaches the server.
 */

/** A request body as sent: raw bytes (or none) and the Content-Type header (or none). */
export type RawBody = { kind: string; contentType?: string; data?: Buffer };

const raw = (kind: string, text: string | Buffer | undefined, contentType: string | undefined = 'application/json'): RawBody => ({
  kind,
  contentType,
  data: text === undefined ? undefined : Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'),
});

// ---------------------------------------------------------------------------------------------
// Valid records, as the chat and the admin pages post them.

export function validTurn(text = 'my card has not arrived yet', intent = 'card_arrival') {
  return {
    conversationId: randomUUID(),
    botId: 'banking77',
    user: { id: randomUUID(), seq: 0, text, parts: { kind: 'typed' } },
    reply: { id: randomUUID(), seq: 1, text: 'Cards arrive within five working days.', parts: { kind: 'answer', intent: 'card_arrival', quickReplies: [{ text: 'Track my card', intent: 'card_delivery_estimate' }] } },
    prediction: {
      id: randomUUID(),
      modelId: 'banking77',
      modelVersion: 'fuzz-1',
      intent,
      confidence: 0.91,
      topK: [
        { intent, probability: 0.91 },
        { intent: 'card_delivery_estimate', probability: 0.05 },
      ],
      decision: 'answer',
      backend: 'wasm',
      latencyMs: 11.5,
    },
  };
}

export function validExplanations(text = 'my card has not arrived yet') {
  let start = 0;
  const words = text.split(' ').map((word) => {
    const span = { text: word, start, end: start + word.length };
    start += word.length + 1;
    return span;
  });
  return {
    explanations: [
      {
        method: 'lime',
        version: 1,
        target: { index: 0, label: 'card_arrival', probability: 0.91 },
        settings: { samples: 500, seed: 7 },
        words,
        scores: words.map((_, i) => (i === 2 ? 0.6 : 0.05)),
        extra: { intercept: 0.1, r2: 0.9 },
        faithfulness: { comprehensiveness: [{ k: '1', value: 0.4 }], sufficiency: [{ k: '1', value: 0.1 }], meanComprehensiveness: 0.4, meanSufficiency: 0.1, deletionAuc: 0.2 },
        timing: { ms: 140, forwardPasses: 8 },
      },
    ],
  };
}

export const validFeedback = () => ({ id: randomUUID(), helpful: false, comment: 'not what I asked' });
export const validReview = () => ({ action: 'relabel', intent: 'card_delivery_estimate', note: 'closer to the delivery estimate' });
export const validCredentials = () => ({ email: 'someone@example.com', password: 'a password of some length' });

// ---------------------------------------------------------------------------------------------
// Strings.

/** Pieces that break naive text handling: lone surrogates, bidi overrides, zero-width, NUL, combining marks… */
const UNICODE_EDGES = [
  '\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uDBFF\uDFFF', '\u202E', '\u202D', '\u2066', '\u2069', '\u061C',
  '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u0301', 'e\u0301', '\uFFFD', '\uFFFE', '\uFFFF',
  '😀', '👩‍👩‍👧', '🏳️‍🌈', '𝕏', 'ﷺ', 'ا', 'İ', 'ß', 'Ⅻ', '\r\n', '\t', '\u000B', '\u0085', '\u2028', '\u2029',
  '\\', '"', "'", '`', '<script>', '%', '_', '${x}', '{{x}}', '\u001B[31m',
];

export const unicodeEdgeString = fc
  .array(fc.oneof(fc.constantFrom(...UNICODE_EDGES), fc.string({ unit: 'binary', maxLength: 6 })), { minLength: 1, maxLength: 16 })
  .map((parts) => parts.join(''));

/** SQL and LIKE metacharacters, as an attacker would put them in a filter. */
export const SQL_METACHARACTERS = ["' OR 1=1 --", '%', '_', '\\', '"; DROP TABLE "Prediction"; --', "'; DROP TABLE Message; --", '100%', '%_%', '\\%', "1' UNION SELECT * FROM AdminSession --", '*', '[a-z]', '$1', '?'];

/** A string longer than `minChars`, of one repeated character (some of them several bytes long). */
export const hugeString = (minChars: number) =>
  fc
    .record({ extra: fc.integer({ min: 1, max: Math.max(1, Math.floor(minChars / 4)) }), unit: fc.constantFrom('a', 'é', '😀', '\u0000', '\u202E', ' ', '"') })
    .map(({ extra, unit }) => unit.repeat(Math.ceil((minChars + extra) / unit.length)));

// ---------------------------------------------------------------------------------------------
// Bodies.

/** Arrays, objects or both nested `depth` deep, as JSON text (building the value itself would overflow the stack). */
export const deeplyNestedJson = fc
  .record({ depth: fc.integer({ min: 64, max: 50_000 }), shape: fc.constantFrom('array', 'object', 'mixed') })
  .map(({ depth, shape }) => nestedJson(depth, shape));

export function nestedJson(depth: number, shape: 'array' | 'object' | 'mixed'): string {
  const open = (i: number) => (shape === 'array' || (shape === 'mixed' && i % 2) ? '[' : '{"a":');
  const close = (i: number) => (shape === 'array' || (shape === 'mixed' && i % 2) ? ']' : '}');
  let head = '';
  let tail = '';
  for (let i = 0; i < depth; i++) {
    head += open(i);
    tail = close(i) + tail;
  }
  return `${head}1${tail}`;
}

const MALFORMED_JSON = [
  '', ' ', '{', '}', '[', '{"a":}', '{"a":1,}', '[1,2,]', "{'a':1}", '{a:1}', 'undefined', 'NaN', 'Infinity', '-', '01',
  '1e999999', '-1e999999', '"unterminated', '{"a":"\\u12"}', '{"a":"\\x41"}', '{"a":1}{"b":2}', '{"a":1} trailing', '\uFEFF{}',
  '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', 'null', 'true', '0', '""', '[]', '{}',
];

/** Bytes that are not UTF-8, or UTF-8 of something else. */
const NOT_UTF8 = [Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), Buffer.from([0xc3, 0x28]), Buffer.from('{"a":"\xed\xa0\x80"}', 'latin1'), Buffer.from([0x80, 0x81, 0x82]), Buffer.from('{"a":1}', 'utf16le')];

/** Content types a client might send instead of JSON (header values only: no control characters). */
export const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16le',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'application/xml',
  'application/octet-stream',
  'image/png',
  '',
  ';;;',
  'application/json, text/plain',
);

/** Any JSON value, and values that only approximately serialise to JSON (fc.anything). */
const anyJsonText = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }).map(safeStringify),
);

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // BigInt, or an object without a prototype (no toString).
    return Object.prototype.toString.call(value);
  }
}

type JsonKind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';
const kindOf = (value: unknown): JsonKind => (value === null ? 'null' : Array.isArray(value) ? 'array' : (typeof value as JsonKind));

/** Every path into `value` (objects and arrays), leaving out what lies under a key in `opaque` (free-form data). */
function pathsOf(value: unknown, opaque: readonly string[], prefix: (string | number)[] = []): (string | number)[][] {
  const here = prefix.length ? [prefix] : [];
  if (value === null || typeof value !== 'object') return here;
  const entries = Array.isArray(value) ? value.map((item, i) => [i, item] as const) : Object.entries(value);
  return [...here, ...entries.flatMap(([key, item]) => (opaque.includes(String(key)) ? [[...prefix, key]] : pathsOf(item, opaque, [...prefix, key])))];
}

function withReplaced(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = withReplaced(copy[head!], rest, replacement);
  return copy;
}

function withRemoved(value: unknown, path: (string | number)[]): unknown {
  const [head, ...rest] = path;
  if (Array.isArray(value)) return rest.length ? value.map((item, i) => (i === head ? withRemoved(item, rest) : item)) : value.filter((_, i) => i !== head);
  const copy = { ...(value as Record<string, unknown>) };
  if (rest.length) copy[head as string] = withRemoved(copy[head as string], rest);
  else delete copy[head as string];
  return copy;
}

/** A value of any JSON kind other than `kind`: the type confusion. */
const wrongKind = (kind: JsonKind) =>
  fc
    .oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.constantFrom(-0, 1e308, -1e308, 2 ** 53 + 1, 0.1 + 0.2, -1),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      unicodeEdgeString,
      fc.constantFrom('0', '1', 'true', 'null', '2024-01-01', 'card_arrival'),
      fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    )
    .filter((value) => kindOf(value) !== kind);

/**
 * A valid record with one field (leaf or branch) replaced by a value of another type, or
 * removed; only results that `isValid` refuses, so every one of them is invalid input.
 */
export function typeConfused(valid: unknown, isValid: (body: unknown) => boolean, opaque: readonly string[] = []) {
  const paths = pathsOf(valid, opaque);
  const get = (path: (string | number)[]) => path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], valid);
  const replaced = fc.constantFrom(...paths).chain((path) => wrongKind(kindOf(get(path))).map((value) => withReplaced(valid, path, value)));
  const removed = fc.constantFrom(...paths).map((path) => withRemoved(valid, path));
  return fc.oneof({ arbitrary: replaced, weight: 4 }, { arbitrary: removed, weight: 1 }).filter((body) => !isValid(body));
}

/** The record with one free-form field (`settings`, `extra`…) nested `depth` deep. */
export function deeplyNestedInside(valid: unknown, path: (string | number)[]) {
  const marker = '"__nested__"';
  const text = JSON.stringify(withReplaced(valid, path, '__nested__'));
  return deeplyNestedJson.map((nested) => text.replace(marker, nested));
}

/** The record with one string field replaced by a string longer than the route's body cap. */
export function hugeInside(valid: unknown, path: (string | number)[], bodyCap: number) {
  return hugeString(bodyCap).map((huge) => JSON.stringify(withReplaced(valid, path, huge)));
}

export type BodyCase = { valid: unknown; isValid: (body: unknown) => boolean; bodyCap: number; opaque?: readonly string[]; stringPath: (string | number)[]; freeFormPath?: (string | number)[] };

/**
 * Every way a body can be wrong, for one route: random and approximate JSON, malformed JSON,
 * bytes that are not UTF-8, deep nesting (alone and inside the record's free-form data),
 * bodies over the cap, type-confused records, wrong content types and no body at all.
 */
export function invalidBody(route: BodyCase): fc.Arbitrary<RawBody> {
  const json = (kind: string) => (text: string) => ({ kind, text });
  const texts = fc.oneof(
    anyJsonText.filter((text) => !isValidText(text, route.isValid)).map(json('random json')),
    fc.constantFrom(...MALFORMED_JSON).map(json('malformed json')),
    // A proper prefix of an object's JSON text is never valid JSON.
    fc.nat().map((cut) => {
      const text = JSON.stringify(route.valid);
      return { kind: 'truncated json', text: text.slice(0, cut % text.length) };
    }),
    deeplyNestedJson.map(json('deeply nested')),
    ...(route.freeFormPath ? [deeplyNestedInside(route.valid, route.freeFormPath).map(json('deeply nested inside a valid record'))] : []),
    hugeInside(route.valid, route.stringPath, route.bodyCap).map(json('over the body cap')),
    typeConfused(route.valid, route.isValid, route.opaque).map((body) => ({ kind: 'type-confused record', text: JSON.stringify(body) })),
  );
  return fc.oneof(
    { arbitrary: fc.tuple(texts, contentType).map(([{ kind, text }, type]) => raw(kind, text, type)), weight: 8 },
    { arbitrary: fc.tuple(fc.constantFrom(...NOT_UTF8), contentType).map(([bytes, type]) => raw('not utf-8', bytes, type)), weight: 1 },
    { arbitrary: contentType.map((type) => raw('no body', undefined, type)), weight: 1 },
  );
}

/** A batch of turns as the outbox posts what waited during an outage. */
export function validTurnBatch(size = 3) {
  return { turns: Array.from({ length: size }, () => validTurn()) };
}

/**
 * Batch bodies of turns (`{ turns: [...] }`) refused as a whole: `turns` not an array, empty,
 * longer than `maxTurns`, or the body over `bodyCap`; besides every way `invalidBody` has.
 */
export function invalidTurnBatch(route: BodyCase, maxTurns: number, bodyCap: number): fc.Arbitrary<RawBody> {
  const envelope = fc.oneof(
    fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), fc.constant(route.valid)).map((turns) => ({ kind: 'turns not an array', text: JSON.stringify({ turns }) })),
    fc.constant({ kind: 'no turns', text: JSON.stringify({ turns: [] }) }),
    fc.integer({ min: maxTurns + 1, max: maxTurns + 20 }).map((n) => ({ kind: 'too many turns', text: JSON.stringify({ turns: Array.from({ length: n }, () => route.valid) }) })),
    hugeInside(route.valid, route.stringPath, bodyCap).map((turn) => ({ kind: 'batch over the body cap', text: `{"turns":[${turn}]}` })),
    deeplyNestedJson.map((nested) => ({ kind: 'deeply nested batch', text: `{"turns":[${nested}]}` })),
  );
  return fc.tuple(envelope, contentType).map(([{ kind, text }, type]) => raw(kind, text, type));
}

/** A batch whose every turn is invalid: answered with one refusal per turn, storing nothing. */
export function batchOfInvalidTurns(route: BodyCase): fc.Arbitrary<RawBody & { turns: number }> {
  const invalidTurn = fc.oneof(typeConfused(route.valid, route.isValid, route.opaque), fc.jsonValue().filter((value) => !route.isValid(value)));
  return fc.array(invalidTurn, { minLength: 1, maxLength: 8 }).map((turns) => ({ ...raw('batch of invalid turns', JSON.stringify({ turns })), turns: turns.length }));
}

function isValidText(text: string, isValid: (body: unknown) => boolean): boolean {
  try {
    return isValid(JSON.parse(text));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Paths and queries.

/**
 * Path segments that are not UUIDs: raw (malformed percent-escapes included, as a client may
 * send them) or percent-encoded; never ones that change the path's shape ('', '.', '..').
 */
export const invalidId = fc.oneof(
  fc.constantFrom(
    '0', '-1', 'null', 'undefined', 'NaN', 'true', '[]', '{}', '%', '%zz', '%E0%A4%A', '%00', '%C0%AF', 'a%2Fb', '%2F', '%5C', '%20',
    "1'%20OR%20'1'='1", '00000000-0000-0000-0000-00000000000', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '00000000-0000-0000-0000-0000000000000',
    '%7B%7Bid%7D%7D', '..%2F..%2Fetc%2Fpasswd', '%F0%9F%98%80', '%ED%A0%80',
  ),
  unicodeEdgeString.map((text) => encodeURIComponent(text.toWellFormed())).filter((id) => id !== '' && id !== '.' && id !== '..'),
  fc.uuid().map((id) => `${id}x`),
  fc.uuid().map((id) => id.replace(/-/g, '')),
  fc.uuid().map((id) => `${id}%00`),
  fc.uuid().map((id) => `%20${id}`),
  fc.integer({ min: 100, max: 6000 }).map((length) => 'a'.repeat(length)),
);

/** Names of Object's prototype: a lookup with `in` or `obj[name]` finds them in any plain object. */
const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];

/** Parameter names the admin routes read, plus arbitrary ones. */
const PARAMETER_NAMES = ['q', 'intent', 'decision', 'backend', 'feedback', 'review', 'verification', 'minConf', 'maxConf', 'from', 'to', 'faithBelow', 'disagree', 'sort', 'dir', 'page', 'size', 'days', 'format', ...PROTOTYPE_NAMES];

const junkValue = fc.oneof(
  unicodeEdgeString,
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.constantFrom(...SQL_METACHARACTERS),
  fc.constantFrom('', ' ', '-0', 'NaN', 'Infinity', '-Infinity', '1e309', '0x10', '1_000', '0.5.5', '9'.repeat(400), '-1', '2', '1000001', 'csv', 'training', 'jsonl', 'all', 'asc', 'desc'),
  fc.constantFrom('2024-13-45', '0000-00-00', '9999-99-99T99:99:99Z', '2024-02-30', '+275760-09-13', '-271821-04-20', '1970-01-01T00:00:00.000Z', 'yesterday'),
  fc.integer().map(String),
  fc.double().map(String),
  fc.integer({ min: 200, max: 4000 }).map((length) => 'x'.repeat(length)),
);

/** A query string: known and unknown names, repeated names, junk values, properly encoded or raw. */
export const junkQuery = fc.oneof(
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMETER_NAMES), unicodeEdgeString), junkValue), { maxLength: 8 })
    .map((pairs) => new URLSearchParams(pairs).toString()),
  fc.constantFrom('%', '%%', '%zz', '&&&', '=', '==a', 'q=%ZZ', 'q=%E0%A4%A', 'page[]=1&page[]=2', 'q', '?q=x', 'q=a&q=b&q=c', 'format=csv&format=jsonl', 'q=%00', 'size=%2B50', 'q=%ED%A0%80'),
);
