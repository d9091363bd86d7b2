// Cost of verifying one prediction on the server, one at a time against micro-batched:
//   1. the forward pass alone (lib/model in Node, onnxruntime-node CPU, one thread as the
//      verifier runs it) at batch sizes 1..64, and what onnxruntime's default thread pool costs
//      for sparse small batches, as live traffic gives them;
//   2. the whole verifier (lib/verify: forward pass + outcome written to a scratch SQLite
//      database), with --count turns handed to it together, as concurrent requests' after()
//      callbacks do, at the same batch bounds.
// Per record: wall ms, CPU ms of this process (every thread), and the longest the event loop
// was held (a forward pass runs on it), which is what a concurrent ingest request waits.
//
//   npm run bench:verify -- [--count 512] [--reps 3] [--data ../shared/datasets/banking77/train.csv]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readLabelledCsv } from '@/lib/admin/seed';
import { decide } from '@/lib/bot/policy';
import type { TurnRecord } from '@/lib/records/turn';
import { connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { storeTurnRecord } from '@/lib/ingest/turns';
import { loadModelFromDir } from '@/lib/model/node';
import { activeVersion } from '@/lib/model/versions';
import { jobForTurn, Verifier } from '@/lib/verify/verifier';
import { banking77Csv } from '../support/dataset.mjs';

const REPO = path.resolve(import.meta.dirname, '..', '..');

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '512' },
    reps: { type: 'string', default: '3' },
    data: { type: 'string', default: process.env.BANKING77_CSV ?? path.resolve(REPO, '../shared/datasets/banking77/train.csv') },
  },
});
const count = Number(values.count);
const reps = Number(values.reps);

/** Wall and CPU time of `work`, and the longest gap between 1 ms timer ticks meanwhile. */
async function measure(work: () => Promise<void>): Promise<{ wallMs: number; cpuMs: number; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 1);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  clearInterval(ticker);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, stallMs };
}

/** Best of `reps` (the machine is shared: the least disturbed run is the closest to the cost). */
async function best(run: () => Promise<{ wallMs: number; cpuMs: number; stallMs: number }>) {
  const runs = [];
  for (let r = 0; r < reps; r++) runs.push(await run());
  return runs.sort((a, b) => a.wallMs - b.wallMs)[0]!;
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

async function main() {
  const modelDir = path.join(REPO, 'public/models/banking77');
  const model = await loadModelFromDir(modelDir, { threads: 1 });
  const card = model.card!;
  const texts = readLabelledCsv(banking77Csv(values.data)).slice(0, count).map((example) => example.text);
  if (texts.length < count) throw new Error(`${values.data} has fewer than ${count} examples.`);
  const probabilities = await model.predict(texts);
  console.log(`Verification cost on the demo model, ${count} Banking77 messages, best of ${reps}; ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}.\n`);

  console.log('Forward pass alone (lib/model, onnxruntime-node CPU):\n');
  console.log(row(['batch', 'wall ms / record', 'CPU ms / record', 'event loop held, ms']));
  console.log(row(['--:', '--:', '--:', '--:']));
  for (const batch of [1, 4, 16, 64]) {
    const result = await best(() =>
      measure(async () => {
        for (let s = 0; s < texts.length; s += batch) await model.predict(texts.slice(s, s + batch));
      }),
    );
    console.log(row([batch, (result.wallMs / count).toFixed(3), (result.cpuMs / count).toFixed(3), result.stallMs.toFixed(1)]));
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-bench-verify-'));
  const url = `file:${path.join(dir, 'bench.db')}`;
  // A scratch model store too: the demo model is stored there as the bot's active version, which the records name.
  process.env.MODEL_STORE_DIR = path.join(dir, 'models');
  await migrateDatabase(url);
  const database = await connectDatabase(url);
  try {
    const version = (await activeVersion('banking77'))!.hash;
    console.log('\nSparse batches of 4, one every 20 ms (live traffic), CPU ms per batch:\n');
  console.log(row(['onnxruntime threads', 'CPU ms / batch']));
  console.log(row(['--:', '--:']));
  for (const threads of [undefined, 1]) {
    const sparse = threads ? model : await loadModelFromDir(modelDir);
    const batch = texts.slice(0, 4);
    await sparse.predict(batch);
    const result = await best(() =>
      measure(async () => {
        for (let i = 0; i < 50; i++) {
          await sparse.predict(batch);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }),
    );
    console.log(row([threads ? 'one' : `default (${os.cpus().length})`, (result.cpuMs / 50).toFixed(2)]));
    if (!threads) await sparse.dispose();
  }

  console.log('\nThe verifier (forward pass + outcomes written to SQLite), all turns handed over at once:\n');
    console.log(row(['max batch', 'forward passes', 'wall ms / record', 'CPU ms / record', 'event loop held, ms', 'verified']));
    console.log(row(['--:', '--:', '--:', '--:', '--:', '--:']));
    for (const maxBatch of [1, 16, 64]) {
      const result = await best(async () => {
        const turns: TurnRecord[] = texts.map((text, i) => {
          const decision = decide({ labels: model.labels, probabilities: probabilities[i]!, thresholds: card.thresholds, outOfScopeLabel: card.outOfScopeLabel });
          return {
            conversationId: randomUUID(),
            botId: 'banking77',
            user: { id: randomUUID(), seq: 0, text, parts: { kind: 'typed' } },
            reply: { id: randomUUID(), seq: 1, text: 'Reply.', parts: { kind: decision.kind === 'unreadable' ? 'handoff' : decision.kind, intent: decision.intent } },
            prediction: { id: randomUUID(), modelId: 'banking77', modelVersion: version, intent: decision.intent, confidence: decision.confidence, topK: [{ intent: decision.intent, probability: decision.confidence }], decision: decision.kind, backend: 'cpu', latencyMs: 1 },
          };
        });
        for (const turn of turns) await storeTurnRecord(turn);
        const verifier = new Verifier({ maxBatch, windowMs: 5, maxShare: 1 }); // no rests: the cost itself
        await verifier.servedVersion('banking77'); // load outside the timing
        const measured = await measure(async () => {
          await Promise.all(turns.map((turn) => verifier.verify(jobForTurn(turn)!)));
        });
        const verified = await database.prediction.count({ where: { id: { in: turns.map((turn) => turn.prediction!.id) }, verification: 'verified' } });
        Object.assign(measured, { batches: verifier.stats.batches, verified });
        await verifier.close();
        return measured;
      });
      const { batches, verified } = result as typeof result & { batches: number; verified: number };
      console.log(row([maxBatch, batches, (result.wallMs / count).toFixed(3), (result.cpuMs / count).toFixed(3), result.stallMs.toFixed(1), `${verified}/${count}`]));
    }
  } finally {
    await database.$disconnect();
    rmSync(dir, { recursive: true, force: true });
    await model.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
