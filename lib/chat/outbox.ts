/**
 * Records on their way to the server. Each is kept in IndexedDB until the server has
 * accepted it, and retried with backoff while the server is unreachable, so a record
 * survives a dropped connection, a server restart and a closed tab. Records are sent in
 * the order they were made (a reply's feedback never arrives before the reply), and every
 * record carries its own ids, so a retry the server already stored is answered as a
 * duplicate, never stored twice. Turns that have waited together (after an outage, a closed
 * tab) go in one batch post, which the server answers with one outcome per turn.
 */
import { MAX_TURNS_PER_BATCH, type TurnBatchAnswer, type TurnOutcome } from '@/lib/records/turn';

export type OutboxRecord = {
  url: string;
  method: 'POST' | 'PUT';
  body: unknown;
  /** What the record is ("turn", "explanations", "feedback"): counted in the status the chat shows. */
  kind?: string;
};
export type StoredRecord = OutboxRecord & { seq: number; attempts: number };

/** Where waiting records are kept: IndexedDB in the browser, memory where there is none. */
export interface OutboxStore {
  add(record: OutboxRecord & { attempts: number }): Promise<void>;
  /** The oldest waiting records, oldest first, at most `limit` of them. */
  oldest(limit: number): Promise<StoredRecord[]>;
  /** How many wait, per kind (records without a kind count as "record"), without reading their bodies. */
  counts(): Promise<Record<string, number>>;
  update(record: StoredRecord): Promise<void>;
  remove(seq: number): Promise<void>;
}

export type OutboxStatus = {
  pending: number;
  /** Waiting records per kind (records without a kind count as "record"). */
  byKind: Record<string, number>;
  /** Why the last attempt failed; null once the server has accepted a record again. */
  lastError: string | null;
};

/** Longest wait between two attempts: the server coming back must not go unnoticed for long. */
export const MAX_RETRY_DELAY_MS = 10_000;
/** A request that has not been answered by then is abandoned and retried. */
export const REQUEST_TIMEOUT_MS = 15_000;
/** Browsers refuse `keepalive` requests whose bodies exceed 64 KiB in all; larger ones go without. */
const KEEPALIVE_MAX_BYTES = 60_000;

/** Routes that take several records in one post, and the key of the body's array. */
const BATCH_ROUTES: Record<string, { key: string; max: number }> = { '/api/turns': { key: 'turns', max: MAX_TURNS_PER_BATCH } };
/** How many of the oldest waiting records a batch is gathered from. */
const WINDOW = 4 * MAX_TURNS_PER_BATCH;
/** A batch stops growing past this (the server's cap is 2 MiB): a slow connection still gets it through. */
const MAX_BATCH_BYTES = 512 * 1024;

type SendOutcome = 'done' | 'retry';

/** The server is there but overloaded or briefly failing: try again later. */
const isRetryable = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * The records to send next: the oldest alone, or, when it goes to a route that takes batches,
 * it and the other waiting records for that route, up to the route's count and
 * MAX_BATCH_BYTES. Turns may so go ahead of explanations and ratings queued between them: those
 * depend on their own turn only, which is older than they are and goes first or with the batch.
 */
export function nextBatch(waiting: StoredRecord[]): StoredRecord[] {
  const [first] = waiting;
  if (!first) return [];
  const route = first.method === 'POST' ? BATCH_ROUTES[first.url] : undefined;
  if (!route) return [first];
  const batch = [first];
  let bytes = JSON.stringify(first.body).length;
  for (const record of waiting.slice(1)) {
    if (batch.length === route.max) break;
    if (record.url !== first.url || record.method !== first.method) continue;
    bytes += JSON.stringify(record.body).length;
    if (bytes > MAX_BATCH_BYTES) break;
    batch.push(record);
  }
  return batch;
}

/** Wait before the next attempt: doubling from half a second, capped, with ±25 % jitter so tabs do not retry in step. */
export function retryDelay(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_DELAY_MS, 500 * 2 ** Math.min(attempts, 10));
  return Math.round(base * (0.75 + random() * 0.5));
}

type Options = {
  store?: OutboxStore;
  fetch?: typeof fetch;
  random?: () => number;
};

export class Outbox {
  private readonly store: OutboxStore;
  private readonly fetchImpl: typeof fetch;
  private readonly random: () => number;
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<(status: OutboxStatus) => void>();
  private lastError: string | null = null;
  private status: OutboxStatus = { pending: 0, byKind: {}, lastError: null };

  constructor(options: Options = {}) {
    this.store = options.store ?? (typeof indexedDB !== 'undefined' ? new IndexedDbOutboxStore() : new MemoryOutboxStore());
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.random = options.random ?? Math.random;
    if (typeof window !== 'undefined') {
      // Ways the connection can come back; a restarted server gives no such signal, hence the capped backoff.
      window.addEventListener('online', () => void this.flush());
      document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && this.status.pending > 0 && void this.flush());
    }
  }

  /** Calls the listener with the current status now and on every change. */
  subscribe(listener: (status: OutboxStatus) => void): () => void {
    this.listeners.add(listener);
    listener(this.status);
    void this.notify();
    return () => this.listeners.delete(listener);
  }

  /** Keeps the record and starts sending; a queued record also retries the ones still waiting at once. */
  async enqueue(record: OutboxRecord): Promise<void> {
    await this.store.add({ ...record, attempts: 0 });
    await this.notify();
    void this.flush();
  }

  async pending(): Promise<number> {
    return Object.values(await this.store.counts()).reduce((sum, n) => sum + n, 0);
  }

  /**
   * Sends what is waiting, oldest first; stops at the first failure and retries after a
   * backoff. Resolves when this round is over (everything sent, or a retry scheduled).
   */
  flush(): Promise<void> {
    if (this.draining) {
      // A record queued while a round runs could be missed by it: run once more.
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async drain(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      do {
        this.drainAgain = false;
        for (;;) {
          const batch = nextBatch(await this.store.oldest(WINDOW));
          if (batch.length === 0) break;
          const outcomes = batch.length > 1 ? await this.sendBatch(batch) : [await this.send(batch[0]!)];
          // Refused as a whole (a server that does not take batches): one at a time, as before.
          const sent = outcomes === 'one by one' ? await this.sendEach(batch) : outcomes;
          for (const [index, record] of batch.entries()) if (sent[index] === 'done') await this.store.remove(record.seq);
          const kept = batch.filter((_, index) => sent[index] !== 'done');
          if (kept.length > 0) {
            for (const record of kept) await this.store.update({ ...record, attempts: record.attempts + 1 });
            this.timer = setTimeout(() => void this.flush(), retryDelay(kept[0]!.attempts, this.random));
            return;
          }
          await this.notify();
        }
      } while (this.drainAgain);
    } finally {
      await this.notify();
    }
  }

  /** Sends the records singly, in order, up to the first that is to be retried (it and those behind it stay). */
  private async sendEach(records: StoredRecord[]): Promise<(SendOutcome | 'not sent')[]> {
    const outcomes: (SendOutcome | 'not sent')[] = records.map(() => 'not sent');
    for (const [index, record] of records.entries()) {
      outcomes[index] = await this.send(record);
      if (outcomes[index] === 'retry') break;
    }
    return outcomes;
  }

  private async send(record: StoredRecord): Promise<SendOutcome> {
    const response = await this.post(record.url, record.method, record.body);
    if (response === 'retry') return 'retry';
    if (response.ok) {
      this.lastError = null;
      return 'done';
    }
    return this.refused(response.status, await response.text().catch(() => ''));
  }

  /** One post for the records, then one outcome per record from the server's answer. */
  private async sendBatch(records: StoredRecord[]): Promise<SendOutcome[] | 'one by one'> {
    const { key } = BATCH_ROUTES[records[0]!.url]!;
    const response = await this.post(records[0]!.url, records[0]!.method, { [key]: records.map((record) => record.body) });
    if (response === 'retry') return records.map(() => 'retry');
    if (!response.ok) {
      if (isRetryable(response.status)) {
        this.lastError = `the server answered ${response.status}`;
        return records.map(() => 'retry');
      }
      return 'one by one';
    }
    const answer = (await response.json().catch(() => null)) as TurnBatchAnswer | null;
    if (!Array.isArray(answer?.outcomes) || answer.outcomes.length !== records.length) {
      // Accepted, but not as a batch answer: send again; whatever was stored comes back a duplicate.
      this.lastError = 'the server answered a batch unexpectedly';
      return records.map(() => 'retry');
    }
    const outcomes = answer.outcomes.map((outcome: TurnOutcome) => (outcome.outcome === 'refused' ? this.refused(outcome.status, JSON.stringify(outcome.error)) : 'done'));
    // The status says why records still wait, if any do.
    const waiting = answer.outcomes.find((outcome) => outcome.outcome === 'refused' && isRetryable(outcome.status));
    this.lastError = waiting?.outcome === 'refused' ? `the server answered ${waiting.status}` : null;
    return outcomes;
  }

  /** A post's answer, or 'retry' when none came (unreachable, timed out). */
  private async post(url: string, method: OutboxRecord['method'], payload: unknown): Promise<Response | 'retry'> {
    const body = JSON.stringify(payload);
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    try {
      return await this.fetchImpl(url, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body,
        // Lets a record posted just before the tab closes still arrive; it stays queued either way.
        keepalive: new TextEncoder().encode(body).length <= KEEPALIVE_MAX_BYTES,
        signal: abort.signal,
      });
    } catch {
      this.lastError = abort.signal.aborted ? 'the server did not answer in time' : 'the server is unreachable';
      return 'retry';
    } finally {
      clearTimeout(timeout);
    }
  }

  /** What to do with a record the server did not accept, by the status it answered (for the whole post or for the record). */
  private refused(status: number, detail: string): SendOutcome {
    if (isRetryable(status)) {
      this.lastError = `the server answered ${status}`;
      return 'retry';
    }
    // Refused as invalid: retrying cannot help, and it must not block the records behind it.
    this.lastError = null;
    console.error('glassdesk: the server refused a record', status, detail);
    return 'done';
  }

  private async notify() {
    const byKind = await this.store.counts();
    const pending = Object.values(byKind).reduce((sum, n) => sum + n, 0);
    this.status = { pending, byKind, lastError: pending > 0 ? this.lastError : null };
    for (const listener of this.listeners) listener(this.status);
  }
}

/** Records in memory only: for a browser without IndexedDB (some private modes) and for tests. */
export class MemoryOutboxStore implements OutboxStore {
  private records: StoredRecord[] = [];
  private nextSeq = 1;

  async add(record: OutboxRecord & { attempts: number }) {
    this.records.push(structuredClone({ ...record, seq: this.nextSeq++ }));
  }
  async oldest(limit: number) {
    return structuredClone(this.records.slice(0, limit));
  }
  async counts() {
    const byKind: Record<string, number> = {};
    for (const record of this.records) byKind[record.kind ?? 'record'] = (byKind[record.kind ?? 'record'] ?? 0) + 1;
    return byKind;
  }
  async update(record: StoredRecord) {
    const index = this.records.findIndex((r) => r.seq === record.seq);
    if (index >= 0) this.records[index] = structuredClone(record);
  }
  async remove(seq: number) {
    this.records = this.records.filter((r) => r.seq !== seq);
  }
}

const DB_NAME = 'glassdesk-outbox';
const STORE = 'records';
const KIND_INDEX = 'kind';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Records in IndexedDB: they outlive the tab. Falls back to memory when IndexedDB cannot be opened. */
export class IndexedDbOutboxStore implements OutboxStore {
  private db: Promise<IDBDatabase | MemoryOutboxStore> | null = null;

  private open() {
    this.db ??= (async () => {
      try {
        const open = indexedDB.open(DB_NAME, 2);
        open.onupgradeneeded = (event) => {
          const store =
            event.oldVersion < 1 ? open.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true }) : open.transaction!.objectStore(STORE);
          if (event.oldVersion < 2) store.createIndex(KIND_INDEX, 'kind');
        };
        const db = await request(open);
        // A newer version of the app opened the store in another tab: let it upgrade, reopen on the next use.
        db.onversionchange = () => {
          db.close();
          this.db = null;
        };
        return db;
      } catch (error) {
        console.error('glassdesk: IndexedDB is not available; unsent records are kept in this page only', error);
        return new MemoryOutboxStore();
      }
    })();
    return this.db;
  }

  async add(record: OutboxRecord & { attempts: number }) {
    const db = await this.open();
    if (db instanceof MemoryOutboxStore) return db.add(record);
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).add(record);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  async oldest(limit: number) {
    const db = await this.open();
    if (db instanceof MemoryOutboxStore) return db.oldest(limit);
    // In key order: the keys are the records' sequence numbers.
    return (await request(db.transaction(STORE).objectStore(STORE).getAll(null, limit))) as StoredRecord[];
  }

  async counts() {
    const db = await this.open();
    if (db instanceof MemoryOutboxStore) return db.counts();
    const store = db.transaction(STORE).objectStore(STORE);
    const total = await request(store.count());
    const byKind: Record<string, number> = {};
    let counted = 0;
    // Index keys only: the records' bodies (explanations can be large) are not read.
    const keys = store.index(KIND_INDEX).openKeyCursor();
    await new Promise<void>((resolve, reject) => {
      keys.onerror = () => reject(keys.error);
      keys.onsuccess = () => {
        const cursor = keys.result;
        if (!cursor) return resolve();
        const kind = String(cursor.key);
        byKind[kind] = (byKind[kind] ?? 0) + 1;
        counted++;
        cursor.continue();
      };
    });
    if (total > counted) byKind.record = total - counted;
    return byKind;
  }

  async update(record: StoredRecord) {
    const db = await this.open();
    if (db instanceof MemoryOutboxStore) return db.update(record);
    const store = db.transaction(STORE, 'readwrite').objectStore(STORE);
    // Only while it still waits: another tab may have sent and removed it meanwhile.
    if ((await request(store.count(record.seq))) > 0) await request(store.put(record));
  }

  async remove(seq: number) {
    const db = await this.open();
    if (db instanceof MemoryOutboxStore) return db.remove(seq);
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).delete(seq));
  }
}
