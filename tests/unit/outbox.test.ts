import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_RETRY_DELAY_MS, MemoryOutboxStore, Outbox, REQUEST_TIMEOUT_MS, retryDelay, type OutboxStatus } from '@/lib/chat/outbox';
import { describeWaiting, nextSavingState, type SavingState } from '@/lib/ui/chat/saving-status';

type Mode = 'up' | 'down' | 'hang' | number;

/**
 * A stand-in for the API: stores each record by its id (a repeat is a duplicate, as on the
 * real server), takes batches (`{ turns: [...] }`, one outcome per record) and can be down,
 * hang, answer a given status for a whole post, or refuse given records with a status.
 */
function fakeServer() {
  const stored = new Map<string, unknown>();
  /** One entry per record sent, with the size of the post it went in. */
  const requests: { url: string; keepalive: boolean | undefined; id: string; batch: number }[] = [];
  /** The ids of each post. */
  const posts: string[][] = [];
  const modes: Mode[] = [];
  const refusals = new Map<string, number[]>();
  let mode: Mode = 'up';
  const outcome = (body: { id: string }) => {
    const status = refusals.get(body.id)?.shift();
    if (status !== undefined) return { outcome: 'refused', status, error: { code: 'refused', message: `refused with ${status}` } } as const;
    if (stored.has(body.id)) return { outcome: 'duplicate' } as const;
    stored.set(body.id, body);
    return { outcome: 'stored' } as const;
  };
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const parsed = JSON.parse(String(init?.body)) as { id: string } | { turns: { id: string }[] };
    const records = 'turns' in parsed ? parsed.turns : [parsed];
    for (const record of records) requests.push({ url: String(url), keepalive: init?.keepalive, id: record.id, batch: 'turns' in parsed ? records.length : 0 });
    posts.push(records.map((record) => record.id));
    const current = modes.shift() ?? mode;
    if (current === 'down') throw new TypeError('Failed to fetch');
    if (current === 'hang') {
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    }
    if (typeof current === 'number') return new Response('{}', { status: current });
    if ('turns' in parsed) return Response.json({ outcomes: parsed.turns.map(outcome) });
    const single = outcome(parsed);
    if (single.outcome === 'refused') return Response.json({ error: single.error }, { status: single.status });
    return Response.json(single, { status: single.outcome === 'stored' ? 201 : 200 });
  });
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    stored,
    requests,
    posts,
    set mode(next: Mode) {
      mode = next;
    },
    /** Answers for the next posts, before falling back to `mode`. */
    then(...next: Mode[]) {
      modes.push(...next);
    },
    /** The record is refused with these statuses, one per time it is sent, then stored. */
    refuse(id: string, ...statuses: number[]) {
      refusals.set(id, statuses);
    },
  };
}

const URLS: Record<string, string> = { turn: '/api/turns', explanations: '/api/predictions/p/explanations', feedback: '/api/messages/m/feedback' };
const record = (id: string, kind = 'turn', size = 0) => ({ kind, url: URLS[kind]!, method: 'POST' as const, body: { id, padding: 'x'.repeat(size) } });

function setup(store = new MemoryOutboxStore()) {
  const server = fakeServer();
  const outbox = new Outbox({ store, fetch: server.fetch, random: () => 0.5 });
  const statuses: OutboxStatus[] = [];
  outbox.subscribe((status) => statuses.push(status));
  return { server, outbox, statuses, last: () => statuses.at(-1)! };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('outbox', () => {
  it('sends records in the order they were made and keeps none', async () => {
    const { server, outbox, last } = setup();
    for (const id of ['a', 'b', 'c']) await outbox.enqueue(record(id));
    await outbox.flush();
    expect(server.requests.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect([...server.stored.keys()]).toEqual(['a', 'b', 'c']);
    expect(await outbox.pending()).toBe(0);
    expect(last()).toEqual({ pending: 0, byKind: {}, lastError: null });
  });

  it('keeps records while the server is down, says how many wait, and delivers each once when it is back', async () => {
    const { server, outbox, last } = setup();
    server.mode = 'down';
    await outbox.enqueue(record('t1'));
    await outbox.enqueue(record('e1', 'explanations'));
    await outbox.flush();
    expect(server.stored.size).toBe(0);
    expect(last()).toEqual({ pending: 2, byKind: { turn: 1, explanations: 1 }, lastError: 'the server is unreachable' });

    // Down for a long time: attempts go on, never further apart than the cap.
    const before = server.requests.length;
    await vi.advanceTimersByTimeAsync(60_000);
    const attempts = server.requests.length - before;
    expect(attempts).toBeGreaterThanOrEqual(Math.floor(60_000 / MAX_RETRY_DELAY_MS) - 1);

    server.mode = 'up';
    await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY_MS * 1.25);
    expect([...server.stored.keys()]).toEqual(['t1', 'e1']);
    expect(last()).toEqual({ pending: 0, byKind: {}, lastError: null });
    // Only the oldest record is tried while the server is down: the others wait behind it.
    expect(server.requests.filter((r) => r.id === 'e1')).toHaveLength(1);
  });

  it('a record queued while others wait for their retry sends them all at once', async () => {
    const { server, outbox } = setup();
    server.mode = 'down';
    await outbox.enqueue(record('a'));
    await outbox.flush();
    await vi.advanceTimersByTimeAsync(3 * MAX_RETRY_DELAY_MS); // the backoff has grown to its cap
    server.mode = 'up';
    await outbox.enqueue(record('b'));
    await outbox.flush();
    expect([...server.stored.keys()]).toEqual(['a', 'b']);
    expect(await outbox.pending()).toBe(0);
  });

  it('retries 500, 503 and 429 answers, and a retry the server already stored stays one record', async () => {
    const { server, outbox, last } = setup();
    server.then(503, 500, 429);
    await outbox.enqueue(record('a'));
    await outbox.enqueue(record('b'));
    await outbox.flush();
    expect(last().lastError).toBe('the server answered 503');
    await vi.advanceTimersByTimeAsync(4 * MAX_RETRY_DELAY_MS);
    // The first try went alone; the retries carry both records, which waited together, in one post.
    expect(server.posts).toEqual([['a'], ['a', 'b'], ['a', 'b'], ['a', 'b']]);
    expect([...server.stored.keys()]).toEqual(['a', 'b']);
    expect(last()).toEqual({ pending: 0, byKind: {}, lastError: null });
  });

  it('drops a record the server refuses as invalid and goes on with the next', async () => {
    const { server, outbox } = setup();
    server.then(400);
    await outbox.enqueue(record('bad'));
    await outbox.enqueue(record('good'));
    await outbox.flush();
    expect(server.requests.map((r) => r.id)).toEqual(['bad', 'good']);
    expect([...server.stored.keys()]).toEqual(['good']);
    expect(await outbox.pending()).toBe(0);
  });

  it('abandons a request that is never answered and retries it', async () => {
    const { server, outbox, last } = setup();
    server.then('hang');
    await outbox.enqueue(record('a'));
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);
    expect(last().lastError).toBe('the server did not answer in time');
    await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY_MS);
    expect([...server.stored.keys()]).toEqual(['a']);
    expect(await outbox.pending()).toBe(0);
  });

  it('a record queued just as a round finds nothing more to send is still sent', async () => {
    // The round reads "nothing waiting" while the new record is being added: it must look again.
    class RacingStore extends MemoryOutboxStore {
      onEmpty: (() => Promise<void>) | null = null;
      override async oldest(limit: number) {
        const found = await super.oldest(limit);
        if (found.length === 0 && this.onEmpty) {
          const hook = this.onEmpty;
          this.onEmpty = null;
          await hook();
        }
        return found;
      }
    }
    const store = new RacingStore();
    const { server, outbox } = setup(store);
    store.onEmpty = () => outbox.enqueue(record('late'));
    await outbox.enqueue(record('first'));
    await outbox.flush();
    expect([...server.stored.keys()]).toEqual(['first', 'late']);
    expect(await outbox.pending()).toBe(0);
  });

  it('asks for keepalive only where browsers allow it (bodies up to 64 KiB)', async () => {
    const { server, outbox } = setup();
    await outbox.enqueue(record('small', 'explanations', 1000));
    await outbox.enqueue(record('large', 'explanations', 200_000));
    // Counted in bytes: 30,000 characters of Greek are 60,000 bytes and more.
    await outbox.enqueue({ kind: 'turn', url: '/api/turns', method: 'POST', body: { id: 'greek', text: 'λ'.repeat(30_000) } });
    await outbox.flush();
    expect(server.requests.map((r) => [r.id, r.keepalive])).toEqual([
      ['small', true],
      ['large', false],
      ['greek', false],
    ]);
    expect(server.stored.size).toBe(3);
  });
});

describe('outbox batches', () => {
  it('sends the turns that waited during an outage together, in order, ahead of the other records, which keep theirs', async () => {
    const { server, outbox, last } = setup();
    server.mode = 'down';
    for (const [id, kind] of [['t1', 'turn'], ['t2', 'turn'], ['t3', 'turn'], ['e1', 'explanations'], ['t4', 'turn'], ['f1', 'feedback']] as const) await outbox.enqueue(record(id, kind));
    await outbox.flush();
    const before = server.posts.length;
    server.mode = 'up';
    await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY_MS * 1.25);
    expect(server.posts.slice(before)).toEqual([['t1', 't2', 't3', 't4'], ['e1'], ['f1']]);
    expect([...server.stored.keys()]).toEqual(['t1', 't2', 't3', 't4', 'e1', 'f1']);
    expect(last()).toEqual({ pending: 0, byKind: {}, lastError: null });
  });

  it('never sends an explanation before its turn, even when the turn is retried out of a batch', async () => {
    const { server, outbox } = setup();
    server.mode = 'down';
    for (const [id, kind] of [['t1', 'turn'], ['e1', 'explanations'], ['t2', 'turn'], ['e2', 'explanations']] as const) await outbox.enqueue(record(id, kind));
    await outbox.flush();
    server.refuse('t1', 503);
    server.mode = 'up';
    const before = server.posts.length;
    await vi.advanceTimersByTimeAsync(3 * MAX_RETRY_DELAY_MS);
    expect(server.posts.slice(before)).toEqual([['t1', 't2'], ['t1'], ['e1'], ['e2']]);
    expect([...server.stored.keys()]).toEqual(['t2', 't1', 'e1', 'e2']);
  });

  it('sends a single waiting turn as before, without a batch', async () => {
    const { server, outbox } = setup();
    await outbox.enqueue(record('only'));
    await outbox.flush();
    expect(server.requests).toEqual([{ url: '/api/turns', keepalive: true, id: 'only', batch: 0 }]);
  });

  it('posts at most fifty turns at once', async () => {
    const { server, outbox } = setup();
    server.mode = 'down';
    const ids = Array.from({ length: 61 }, (_, i) => `t${i}`);
    for (const id of ids) await outbox.enqueue(record(id));
    await outbox.flush();
    const before = server.posts.length;
    server.mode = 'up';
    await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY_MS * 1.25);
    expect(server.posts.slice(before).map((post) => post.length)).toEqual([50, 11]);
    expect([...server.stored.keys()]).toEqual(ids);
  });

  it('keeps a batch under half a megabyte, however many turns wait', async () => {
    const { server, outbox } = setup();
    server.mode = 'down';
    for (const id of ['a', 'b', 'c', 'd', 'e']) await outbox.enqueue(record(id, 'turn', 200_000));
    await outbox.flush();
    const before = server.posts.length;
    server.mode = 'up';
    await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY_MS * 1.25);
    expect(server.posts.slice(before)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(server.stored.size).toBe(5);
  });

  it('handles each outcome of a batch: drops a refused record (logged), keeps one to retry, removes the stored ones', async () => {
    const { server, outbox, last } = setup();
    server.mode = 'down';
    for (const id of ['a', 'busy', 'bad', 'd']) await outbox.enqueue(record(id));
    await outbox.flush();
    server.refuse('bad', 400);
    server.refuse('busy', ...Array.from({ length: 20 }, () => 429));
    server.mode = 'up';
    const before = server.posts.length;
    await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY_MS * 1.25);
    expect(server.posts[before]).toEqual(['a', 'busy', 'bad', 'd']);
    expect(server.posts.slice(before + 1).every((post) => post.length === 1 && post[0] === 'busy')).toBe(true);
    expect(console.error).toHaveBeenCalledWith('glassdesk: the server refused a record', 400, expect.stringContaining('refused with 400'));
    // Only the record answered 429 waits, and is sent again after the backoff.
    expect([...server.stored.keys()]).toEqual(['a', 'd']);
    expect(last()).toEqual({ pending: 1, byKind: { turn: 1 }, lastError: 'the server answered 429' });
    server.refuse('busy');
    await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY_MS * 1.25);
    expect(server.posts.at(-1)).toEqual(['busy']);
    expect([...server.stored.keys()]).toEqual(['a', 'd', 'busy']);
    expect(last()).toEqual({ pending: 0, byKind: {}, lastError: null });
  });

  it('keeps every record of a batch when the post fails as a whole, and stores none twice when it goes through', async () => {
    const { server, outbox } = setup();
    server.mode = 'down';
    for (const id of ['a', 'b', 'c']) await outbox.enqueue(record(id));
    await outbox.flush();
    server.mode = 'up';
    server.then(503, 'hang');
    await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY_MS * 1.25 + REQUEST_TIMEOUT_MS + MAX_RETRY_DELAY_MS * 1.25 * 2);
    expect(server.posts.slice(-3)).toEqual([['a', 'b', 'c'], ['a', 'b', 'c'], ['a', 'b', 'c']]);
    expect([...server.stored.keys()]).toEqual(['a', 'b', 'c']);
    expect(await outbox.pending()).toBe(0);
  });

  it('falls back to one record per post when a server refuses the batch as a whole', async () => {
    const { server, outbox } = setup();
    server.mode = 'down';
    for (const id of ['a', 'b']) await outbox.enqueue(record(id));
    await outbox.flush();
    server.mode = 'up';
    server.then(400);
    const before = server.posts.length;
    await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY_MS * 1.25);
    expect(server.posts.slice(before)).toEqual([['a', 'b'], ['a'], ['b']]);
    // Nothing was dropped, so nothing is logged as refused.
    expect(console.error).not.toHaveBeenCalled();
    expect([...server.stored.keys()]).toEqual(['a', 'b']);
    expect(await outbox.pending()).toBe(0);
  });
});

describe('retry delay', () => {
  it('doubles from half a second up to the cap, with ±25 % jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => retryDelay(n, () => 0.5))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect(retryDelay(0, () => 0)).toBe(375);
    expect(retryDelay(50, () => 0.999999)).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS * 1.25);
  });
});

describe('saving status', () => {
  const status = (pending: number, lastError: string | null, byKind: Record<string, number> = { turn: pending }): OutboxStatus => ({ pending, byKind, lastError });

  it('says nothing while records go through at once, and tells when they waited and are then all saved', () => {
    let state: SavingState = { state: 'idle' };
    state = nextSavingState(state, status(1, null));
    expect(state).toEqual({ state: 'idle' });
    state = nextSavingState(state, status(0, null));
    expect(state).toEqual({ state: 'idle' });
    state = nextSavingState(state, status(2, 'the server is unreachable'));
    expect(state).toMatchObject({ state: 'waiting', status: { pending: 2 } });
    // Sending again: still waiting (with the count going down) until none is left.
    state = nextSavingState(state, status(1, null));
    expect(state).toMatchObject({ state: 'waiting', status: { pending: 1, lastError: null } });
    state = nextSavingState(state, status(0, null));
    expect(state).toEqual({ state: 'saved' });
  });

  it('counts what waits in the visitor’s words: a turn is two messages', () => {
    expect(describeWaiting({ turn: 2, explanations: 1 })).toBe('4 messages and 1 explanation');
    expect(describeWaiting({ explanations: 3, turn: 1, feedback: 1 })).toBe('2 messages, 3 explanations and 1 rating');
    expect(describeWaiting({ record: 1 })).toBe('1 record');
    expect(describeWaiting({ something: 2, record: 1 })).toBe('3 records');
  });
});
