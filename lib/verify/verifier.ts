import 'server-only';
import { existsSync } from 'node:fs';
import { MASK, redact } from '@/lib/bot/redact';
import { isBotId, shortVersion } from '@/lib/bot/registry';
import type { TurnRecord } from '@/lib/records/turn';
import { getConfig } from '@/lib/config';
import { pendingPredictions, saveVerifications, type VerificationOutcome } from '@/lib/db/queries/verifications';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir } from '@/lib/model/node';
import { trainingCharacters } from '@/lib/model/readability';
import { activeVersion, storedVersion, versionDir } from '@/lib/model/versions';
import { compareWithReport, failed, unverifiable, type PolicySettings, type ReportedPrediction } from './outcome';

/**
 * Server-side verification of the predictions the browser reports: the model version the record
 * names (its content hash; the store's folder `<store>/<botId>/<hash>/`, the very files the
 * browser loaded) is run again in Node on the text the visitor typed, and each stored prediction
 * ends verified, mismatch or failed. A version the store does not have, or one retired since,
 * ends failed with that reason (stored with the outcome, shown in the admin).
 *
 * Why after the response, micro-batched: checking one record at a time costs about 2.5 times the
 * CPU of checking it in a batch of 16 (1.0 against 0.4 ms per record, forward pass and database
 * write; `npm run bench:verify`), and onnxruntime-node runs the forward pass on the event loop.
 * So the ingest route stores the prediction as `pending` and answers at once; `after()` then hands
 * the turn to this verifier, which gathers the turns arriving within a short window into one
 * bounded forward pass and writes their outcomes in one statement, taking at most `maxShare` of
 * the event loop so that ingest keeps its latency under load. (A worker thread would not add a
 * core: on two cores the ingest server and its load already use both.) Nothing depends on this
 * process's memory: a turn it never got to (a crash, a full queue, a frozen serverless instance)
 * stays `pending` in the database, and the sweep (`verifyPending`, run after live batches and by
 * `npm run verify:pending`) picks it up. The loaded models are a cache, not state: the few
 * versions used last (`maxModels`), so memory stays bounded however many versions records name.
 */

/** One prediction to check. `text` is what the browser's model saw, when the server still has it. */
export type VerificationJob = {
  predictionId: string;
  botId: string;
  modelVersion: string;
  intent: string;
  /** The rest of what the browser reported: checked against the server's run too. */
  reported: Omit<ReportedPrediction, 'intent'>;
  text: string;
  /** False when `text` comes from the database, where personal data is already masked. */
  original: boolean;
};

type LoadedModel = { model: IntentModel; policy: PolicySettings };
type Loaded = { ok: true; loaded: LoadedModel } | { ok: false; reason: string; at: number };
/** What a batch's records of one (bot, version) are checked with, or the outcome they all get. */
type Resolved = { ok: true; loaded: LoadedModel } | { ok: false; outcome: (predictionId: string) => VerificationOutcome; reason: string };

export type VerifierOptions = {
  /** The model store (`MODEL_STORE_DIR` when not given). */
  store?: string;
  /** Model versions kept loaded at once, the most recently used. */
  maxModels?: number;
  /**
   * How long the first turn of a batch waits for others. Nobody waits for the outcome, so the
   * window can be long: at low traffic it is what turns one write transaction per record into one
   * per batch (on SQLite, each costs about as much as the ingest's own).
   */
  windowMs?: number;
  /** Texts per forward pass. */
  maxBatch?: number;
  /** Turns waiting beyond this are left pending for the sweep, so a burst cannot grow memory. */
  maxQueue?: number;
  /** Sweep pending rows at most this often, after live batches. */
  sweepEveryMs?: number;
  /**
   * The largest share of the event loop's time the verifier takes: after a batch that held it
   * for t ms, the next waits t × (1 − share) / share. Under a load the share cannot keep up
   * with, the queue fills and the overflow stays pending for the sweep, instead of slowing ingest.
   */
  maxShare?: number;
};

const RETRY_FAILED_LOAD_MS = 60_000;
/** A row younger than this may still be in some process's queue; the sweep leaves it alone. */
const SWEEP_MIN_AGE_MS = 60_000;
const SWEEP_BATCH = 64;

export class Verifier {
  readonly store: string | undefined;
  /** Forward passes run, predictions checked, turns shed and model versions loaded, for tests and benchmarks. */
  readonly stats = { batches: 0, checked: 0, shed: 0, loads: 0 };
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly sweepEveryMs: number;
  private readonly maxShare: number;
  private readonly maxModels: number;
  private restUntil = 0;
  /** Loaded versions by `<botId>/<hash>`, least recently used first. */
  private readonly models = new Map<string, Promise<Loaded>>();
  private queue: { job: VerificationJob; done: (outcome: VerificationOutcome | null) => void }[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private lastSweep = 0;
  private sweeping = false;
  private sweepTimer: ReturnType<typeof setTimeout> | null = null;
  private backlog = false;

  constructor(options: VerifierOptions = {}) {
    this.store = options.store;
    this.maxModels = Math.max(1, options.maxModels ?? 3);
    this.windowMs = options.windowMs ?? 100;
    this.maxBatch = options.maxBatch ?? 16;
    this.maxQueue = options.maxQueue ?? 1024;
    this.sweepEveryMs = options.sweepEveryMs ?? 30_000;
    this.maxShare = options.maxShare ?? 0.25;
  }

  /**
   * Checks one prediction and stores the outcome. Resolves with the outcome once it is written,
   * or null when it was left pending (queue full, database unreachable).
   */
  verify(job: VerificationJob): Promise<VerificationOutcome | null> {
    if (this.queue.length >= this.maxQueue) {
      this.stats.shed++;
      this.sweepOnceOldEnough();
      return Promise.resolve(null);
    }
    return new Promise((done) => {
      this.queue.push({ job, done });
      this.schedule();
    });
  }

  /** Checks predictions left pending, oldest first; resolves with the outcomes it stored. */
  async verifyPending({ limit = SWEEP_BATCH, minAgeMs = SWEEP_MIN_AGE_MS } = {}): Promise<VerificationOutcome[]> {
    const rows = await pendingPredictions(limit, new Date(Date.now() - minAgeMs));
    const outcomes = await Promise.all(
      rows.map(({ storedText, confidence, topK, decision, ...row }) => this.verify({ ...row, reported: { confidence, topK, decision }, text: storedText, original: false })),
    );
    return outcomes.filter((outcome): outcome is VerificationOutcome => outcome !== null);
  }

  /** The bot's active version, its model loaded (benchmarks load it outside their timing), or why there is none. */
  async servedVersion(botId: string): Promise<string | { reason: string }> {
    const active = await activeVersion(botId, this.store === undefined ? undefined : { store: this.store });
    if (!active) return { reason: `no model version of bot "${botId}" is stored` };
    const resolved = await this.resolve(botId, active.hash);
    return resolved.ok ? active.hash : { reason: resolved.reason };
  }

  private schedule(): void {
    if (this.running || this.timer) return;
    // A full batch runs as soon as the verifier has rested; a partial one waits for company.
    const wait = Math.max(this.queue.length >= this.maxBatch ? 0 : this.windowMs, this.restUntil - performance.now());
    this.timer = setTimeout(() => void this.flush(), wait);
  }

  private async flush(): Promise<void> {
    this.timer = null;
    this.running = true;
    const batch = this.queue.splice(0, this.maxBatch);
    const started = performance.now();
    try {
      const outcomes = await this.check(batch.map((entry) => entry.job));
      let saved = true;
      try {
        await saveVerifications(outcomes);
      } catch (error) {
        saved = false;
        console.error(`Verification: could not store ${outcomes.length} outcome(s); the predictions stay pending for the sweep.`, error);
      }
      batch.forEach((entry, i) => entry.done(saved ? outcomes[i]! : null));
    } catch (error) {
      console.error('Verification: a batch failed; its predictions stay pending for the sweep.', error);
      for (const entry of batch) entry.done(null);
    } finally {
      this.running = false;
      const busy = performance.now() - started;
      this.restUntil = performance.now() + (busy * (1 - this.maxShare)) / this.maxShare;
    }
    if (this.queue.length > 0) this.schedule();
    else this.maybeSweep(batch.some((entry) => entry.job.original));
  }

  /**
   * After live traffic, now and then, picks up what was left pending (by an earlier process, or
   * shed under load). While a sweep finds a full page, the next follows as soon as the queue is
   * empty again, so a backlog drains at the verifier's share of the event loop.
   */
  private maybeSweep(afterLiveBatch: boolean): void {
    if (this.sweeping || !(this.backlog || (afterLiveBatch && Date.now() - this.lastSweep >= this.sweepEveryMs))) return;
    this.lastSweep = Date.now();
    this.sweeping = true;
    this.verifyPending()
      .then((outcomes) => {
        this.backlog = outcomes.length === SWEEP_BATCH;
      })
      .catch((error) => {
        this.backlog = false;
        console.error('Verification sweep failed.', error);
      })
      .finally(() => {
        this.sweeping = false;
        if (this.backlog) this.maybeSweep(false);
      });
  }

  /** After shedding: sweep once the shed rows are old enough, even if no traffic follows (best effort). */
  private sweepOnceOldEnough(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      this.lastSweep = 0;
      this.maybeSweep(true);
    }, SWEEP_MIN_AGE_MS + 1000);
    this.sweepTimer.unref();
  }

  /** One forward pass per (bot, version) over the batch; outcomes in the order of `jobs`. */
  private async check(jobs: VerificationJob[]): Promise<VerificationOutcome[]> {
    const outcomes: VerificationOutcome[] = new Array(jobs.length);
    const reasons = new Map<string, number>();
    const conclude = (index: number, outcome: VerificationOutcome, reason: string) => {
      outcomes[index] = outcome;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    };
    const groups = new Map<string, number[]>();
    jobs.forEach((job, i) => {
      const key = `${job.botId}\u0000${job.modelVersion}`;
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    for (const indices of groups.values()) {
      const { botId, modelVersion } = jobs[indices[0]!]!;
      const resolved = await this.resolve(botId, modelVersion);
      if (!resolved.ok) {
        for (const i of indices) conclude(i, resolved.outcome(jobs[i]!.predictionId), resolved.reason);
        continue;
      }
      const runnable: number[] = [];
      for (const i of indices) {
        const job = jobs[i]!;
        if (!job.original && job.text.includes(MASK)) {
          const reason = 'only the redacted text is left, not the text the browser classified';
          conclude(i, failed(job.predictionId, reason), reason);
        } else {
          runnable.push(i);
        }
      }
      if (runnable.length === 0) continue;
      const { model, policy } = resolved.loaded;
      let probabilities: number[][];
      try {
        probabilities = await model.predict(runnable.map((i) => jobs[i]!.text));
      } catch (error) {
        const reason = `model version ${versionShown(modelVersion)} of bot "${botId}" could not run (${errorText(error)})`;
        for (const i of runnable) conclude(i, failed(jobs[i]!.predictionId, reason), reason);
        continue;
      }
      this.stats.batches++;
      runnable.forEach((i, k) => {
        const job = jobs[i]!;
        outcomes[i] = compareWithReport(job.predictionId, { intent: job.intent, ...job.reported }, model.labels, probabilities[k]!, policy, job.text);
      });
    }
    this.stats.checked += jobs.length;
    // One line per reason and batch: visible in the server log, never one line per record.
    for (const [reason, count] of reasons) console.warn(`Verification not passed for ${count} prediction(s): ${/[.!?…]$/.test(reason) ? reason : `${reason}.`}`);
    return outcomes;
  }

  /**
   * The model of version `hash` of bot `botId`, or the outcome every record naming it gets: a
   * bot with no stored version at all is unverifiable (a mismatch, as risky as one); a version
   * the store does not have, one retired, or one whose files cannot load, failed. Whether a
   * version is retired is asked each time (a loaded model stays cached across a retirement).
   */
  private async resolve(botId: string, hash: string): Promise<Resolved> {
    const stored = isBotId(botId) ? await storedVersion(botId, hash) : null;
    if (!stored) {
      if (!isBotId(botId) || !(await activeVersion(botId, this.store === undefined ? undefined : { store: this.store }))) {
        const reason = isBotId(botId) ? `no model is served for bot "${botId}"` : 'the record names no bot id';
        return { ok: false, outcome: (id) => unverifiable(id, reason), reason };
      }
      const reason = `model version ${versionShown(hash)} is not a stored version of bot ${botId}`;
      return { ok: false, outcome: (id) => failed(id, reason), reason };
    }
    if (stored.retiredAt) {
      const reason = `model version ${shortVersion(stored.hash)} was retired on ${stored.retiredAt.toISOString().slice(0, 10)}: ${stored.retiredReason ?? 'no reason given'}`;
      return { ok: false, outcome: (id) => failed(id, reason), reason };
    }
    const loaded = await this.model(botId, stored.hash);
    if (!loaded.ok) return { ok: false, outcome: (id) => failed(id, loaded.reason), reason: loaded.reason };
    return { ok: true, loaded: loaded.loaded };
  }

  /** A stored version's model, from the cache (the most recently used `maxModels`) or loaded now. */
  private async model(botId: string, hash: string): Promise<Loaded> {
    const key = `${botId}/${hash}`;
    const cached = this.models.get(key);
    if (cached) {
      const loaded = await cached;
      if (loaded.ok || Date.now() - loaded.at < RETRY_FAILED_LOAD_MS) {
        // Used last: moved to the end of the order.
        this.models.delete(key);
        this.models.set(key, cached);
        return loaded;
      }
      this.models.delete(key);
    }
    // Batches run one at a time, so an evicted model is not in use.
    while (this.models.size >= this.maxModels) {
      const [oldest, evicted] = this.models.entries().next().value!;
      this.models.delete(oldest);
      const gone = await evicted;
      if (gone.ok) await gone.loaded.model.dispose();
    }
    const loading = this.load(botId, hash);
    this.models.set(key, loading);
    return loading;
  }

  private async load(botId: string, hash: string): Promise<Loaded> {
    this.stats.loads++;
    const dir = versionDir(botId, hash, this.store);
    if (dir === null || !existsSync(/*turbopackIgnore: true*/ dir)) {
      return { ok: false, reason: `the files of model version ${shortVersion(hash)} of bot ${botId} are not in the model store`, at: Date.now() };
    }
    try {
      // One thread: onnxruntime's pool spins between runs, and for the sparse small batches of
      // live traffic that costs ten times the forward pass itself (`npm run bench:verify`: 24 ms
      // of CPU per batch of 4 against 2.4 ms).
      const model = await loadModelFromDir(dir, { batchSize: this.maxBatch, threads: 1 });
      if (!model.card) throw new Error('its model-card.json is missing');
      const { thresholds, outOfScopeLabel } = model.card;
      const characters = trainingCharacters(model.card, () => model.tokenizer.get_vocab().keys());
      return { ok: true, loaded: { model, policy: { thresholds, outOfScopeLabel, characters } } };
    } catch (error) {
      return { ok: false, reason: `model version ${shortVersion(hash)} of bot ${botId} did not load (${errorText(error)})`, at: Date.now() };
    }
  }

  /** Releases the loaded models (tests, command-line tools). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    const models = [...this.models.values()];
    this.models.clear();
    for (const loaded of await Promise.all(models)) if (loaded.ok) await loaded.loaded.model.dispose();
  }
}

/** A version as a reason names it: the short form of a content hash; anything else the browser sent, masked and cut. */
function versionShown(version: string): string {
  return /^[0-9a-f]{64}$/.test(version) ? shortVersion(version) : JSON.stringify(redact(version).text.slice(0, 40));
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 160);
}

// One verifier per server process; kept on globalThis so hot reloads in development reuse its models.
const globalForVerifier = globalThis as unknown as { glassdeskVerifier?: Verifier };

export function verifier(): Verifier {
  globalForVerifier.glassdeskVerifier ??= new Verifier();
  return globalForVerifier.glassdeskVerifier;
}

/** The job for a turn just posted: the text as the visitor typed it, before redaction. */
export function jobForTurn(turn: TurnRecord): VerificationJob | null {
  if (!turn.prediction) return null;
  const { id, modelVersion: version, intent, confidence, topK, decision } = turn.prediction;
  return { predictionId: id, botId: turn.botId, modelVersion: version, intent, reported: { confidence, topK, decision }, text: turn.user.text, original: true };
}

/**
 * Called by the ingest route once a turn is stored: hands the turn to the verifier after the
 * response (`schedule` is Next's `after`), when verification is on.
 */
export function verifyAfterResponse(
  turn: TurnRecord,
  schedule: (task: () => Promise<void>) => void,
  { enabled = getConfig().VERIFY_PREDICTIONS, by = verifier() }: { enabled?: boolean; by?: Verifier } = {},
): void {
  const job = jobForTurn(turn);
  if (!enabled || !job) return;
  const task = async () => {
    await by.verify(job);
  };
  try {
    schedule(task);
  } catch (error) {
    // The turn is stored already: failing the request now would make the client retry a
    // record that is safe. Outside a request scope (a script calling the handler) `after`
    // throws; verify detached then, and a row that never gets there stays pending for the sweep.
    console.warn('glassdesk: verification not scheduled after the response, running it detached:', (error as Error).message);
    void task().catch((cause: unknown) => console.error('glassdesk: verification failed', cause));
  }
}
