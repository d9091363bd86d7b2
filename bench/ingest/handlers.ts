// CPU per call of the ingest route handlers' work, in-process (no HTTP server, no framework):
// what storing a record costs in our own code (lib/ingest, as the routes call it), to set beside
// bench:ingest's per-request figures. Verification, which the routes hand to Next's `after`, is
// left out: it runs after the response, and bench/verify measures it.
//   npx tsx --conditions react-server bench/ingest/handlers.ts [--db file:/tmp/x.db | postgresql://…] [--calls 2000]
// A fresh SQLite file by default. CPU time is the figure to compare, since wall time on a
// shared machine measures the neighbours too; wall time per call (one call at a time) is shown
// beside it because it includes waiting for the disk (an fsync per commit, checkpoints).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { hitRateLimit } from '@/lib/db/queries/rate-limit';
import { respond } from '@/lib/http/errors';
import { ingestExplanations } from '@/lib/ingest/explanations';
import { ingestTurns } from '@/lib/ingest/turns';
import { wordSpans } from '@/lib/model/spans';
import { classifiedTurn } from '../../tests/support/turns';

const { values } = parseArgs({ options: { db: { type: 'string' }, calls: { type: 'string', default: '2000' } } });
const calls = Number(values.calls);
const scratch = values.db ? null : mkdtempSync(path.join(os.tmpdir(), 'glassdesk-bench-handlers-'));
const databaseUrl = values.db ?? `file:${path.join(scratch!, 'bench.db')}`;
// The limiter counts every call, as in production; its budget is out of reach.
process.env.CHAT_RATE_LIMIT_PER_MINUTE = '100000000';

/** A turn as the browser posts it, built by the transport's own reply builder. */
const turn = () => classifiedTurn({ text: 'My card still has not arrived, it has been two weeks', intent: 'card_arrival', confidence: 0.91 });

/** The routes pass Next's `after`, which needs a request scope; verification is not measured here. */
const afterResponse = () => {};

/** What `POST /api/turns` and `POST /api/predictions/:id/explanations` do, without the framework around them. */
const postTurn = (request: Request) => respond(() => ingestTurns(request, afterResponse));
const postExplanations = (request: Request, predictionId: string) => respond(() => ingestExplanations(request, predictionId));

function explanations(text: string) {
  const words = wordSpans(text, 'en');
  const faithfulness = { comprehensiveness: [{ k: '1', value: 0.31 }], sufficiency: [{ k: '1', value: 0.12 }], meanComprehensiveness: 0.31, meanSufficiency: 0.12, deletionAuc: 0.27 };
  return {
    explanations: ['occlusion', 'lime'].map((method) => ({
      method,
      version: 1,
      target: { index: 11, label: 'card_arrival', probability: 0.91 },
      settings: { seed: 7 },
      words,
      scores: words.map(() => Math.random()),
      extra: {},
      faithfulness,
      timing: { ms: 12, forwardPasses: 12 },
    })),
  };
}

const post = (url: string, body: unknown) =>
  new Request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.1' }, body: JSON.stringify(body) });

async function perCall(work: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  for (let i = 0; i < Math.min(300, calls); i++) await work(); // warm-up: JIT, statement caches
  const start = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < calls; i++) await work();
  const used = process.cpuUsage(start);
  return { cpu: (used.user + used.system) / 1000 / calls, wall: (performance.now() - started) / calls };
}

async function storeTurnThroughRoute() {
  const response = await postTurn(post('http://bench/api/turns', turn()));
  if (response.status !== 201) throw new Error(`POST /api/turns answered ${response.status}`);
}

const BATCH = 10;

async function storeTurnBatchThroughRoute() {
  const response = await postTurn(post('http://bench/api/turns', { turns: Array.from({ length: BATCH }, turn) }));
  const { outcomes } = (await response.json()) as { outcomes: { outcome: string }[] };
  if (outcomes.some((o) => o.outcome !== 'stored')) throw new Error('a turn of the batch was not stored');
}

/** Turns stored beforehand, outside the timing, so that explanations have their predictions. */
const storedTurns: ReturnType<typeof turn>[] = [];

async function storeExplanationsThroughRoute() {
  const record = storedTurns.pop()!;
  const response = await postExplanations(post(`http://bench/api/predictions/${record.prediction.id}/explanations`, explanations(record.user.text)), record.prediction.id);
  if (response.status !== 201) throw new Error(`POST explanations answered ${response.status}`);
}

await migrateDatabase(databaseUrl);
const db = await connectDatabase(databaseUrl);
try {
  const select = await perCall(() => db.$queryRaw`SELECT 1`);
  const limiter = await perCall(() => hitRateLimit('bench:client:198.51.100.1', 1e9, 60_000));
  const turns = await perCall(storeTurnThroughRoute);
  const batch = await perCall(storeTurnBatchThroughRoute);
  for (let i = 0; i < calls + Math.min(300, calls); i++) {
    const record = turn();
    await postTurn(post('http://bench/api/turns', record));
    storedTurns.push(record);
  }
  const explained = await perCall(storeExplanationsThroughRoute);
  const rows: [string, { cpu: number; wall: number }][] = [
    ['SELECT 1 (what /api/health does)', select],
    ['rate-limit count (one upsert)', limiter],
    ['POST /api/turns handler', turns],
    [`POST /api/turns handler, ${BATCH} turns per post (per turn)`, { cpu: batch.cpu / BATCH, wall: batch.wall / BATCH }],
    ['POST explanations handler (2 methods)', explained],
  ];
  console.log(`\nPer call, in-process, ${databaseUrl.startsWith('file:') ? 'SQLite' : 'PostgreSQL'}, ${calls} calls each:\n`);
  console.log('| work | CPU ms | wall ms |\n|---|---|---|');
  for (const [name, { cpu, wall }] of rows) console.log(`| ${name} | ${cpu.toFixed(3)} | ${wall.toFixed(3)} |`);
} finally {
  await db.$disconnect();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
