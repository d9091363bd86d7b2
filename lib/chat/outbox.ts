/**
 * Records on their way to the server. Each is kept in IndexedDB until the server has
 * accepted it, and retried with backoff while the server is unreachable, so a record
 * survives a dropped connection, a server restart and a closed tab. Records are sent in
 * the order they were made (a reply's feedback never arrives before the reply), and every
 * record carries its own ids, so a retry the server already stored is answered as a
 * duplicate, never stored twice.
 */
export type OutboxRecord = { url: string; method: 'POST' | 'PUT'; body: unknown };
type Stored = OutboxRecord & { seq: number; attempts: number };

const DB_NAME = 'glassdesk-outbox';
const STORE = 'records';
const MAX_BACKOFF_MS = 30_000;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function openStore(): Promise<IDBDatabase> {
  const open = indexedDB.open(DB_NAME, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
  return request(open);
}

export type OutboxStatus = { pending: number; lastError: string | null };

export class Outbox {
  private db: Promise<IDBDatabase> | null = null;
  private flushing = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<(status: OutboxStatus) => void>();
  private lastError: string | null = null;

  constructor(private readonly fetchImpl: typeof fetch = (...args) => fetch(...args)) {
    if (typeof window !== 'undefined') window.addEventListener('online', () => void this.flush());
  }

  subscribe(listener: (status: OutboxStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async enqueue(record: OutboxRecord): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).add({ ...record, attempts: 0 });
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    void this.flush();
  }

  async pending(): Promise<number> {
    const db = await this.open();
    return request(db.transaction(STORE).objectStore(STORE).count());
  }

  /** Sends what is waiting, oldest first; stops at the first failure and retries later. */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      for (;;) {
        const next = await this.oldest();
        if (!next) break;
        const outcome = await this.send(next);
        if (outcome === 'retry') {
          const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(next.attempts, 5)) * (0.75 + Math.random() * 0.5);
          await this.update({ ...next, attempts: next.attempts + 1 });
          this.timer = setTimeout(() => void this.flush(), delay);
          break;
        }
        await this.remove(next.seq);
      }
    } finally {
      this.flushing = false;
      await this.notify();
    }
  }

  private async send(record: Stored): Promise<'done' | 'retry'> {
    try {
      const response = await this.fetchImpl(record.url, {
        method: record.method,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(record.body),
        keepalive: true,
      });
      if (response.ok) {
        this.lastError = null;
        return 'done';
      }
      // The server is there but overloaded or briefly failing: try again later.
      if (response.status >= 500 || response.status === 408 || response.status === 429) {
        this.lastError = `server answered ${response.status}`;
        return 'retry';
      }
      // Refused as invalid: retrying cannot help, and it must not block the records behind it.
      this.lastError = `a record was refused (${response.status})`;
      console.error('glassdesk: the server refused a record', response.status, await response.text().catch(() => ''));
      return 'done';
    } catch {
      this.lastError = 'the server is unreachable';
      return 'retry';
    }
  }

  private open() {
    this.db ??= openStore();
    return this.db;
  }

  private async oldest(): Promise<Stored | undefined> {
    const db = await this.open();
    const cursor = await request(db.transaction(STORE).objectStore(STORE).openCursor());
    return cursor?.value as Stored | undefined;
  }

  private async update(record: Stored) {
    const db = await this.open();
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).put(record));
  }

  private async remove(seq: number) {
    const db = await this.open();
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).delete(seq));
  }

  private async notify() {
    const status = { pending: await this.pending(), lastError: this.lastError };
    for (const listener of this.listeners) listener(status);
  }
}
