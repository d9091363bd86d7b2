// Times the admin dashboard's queries on a large log (SQLite by default; --db postgres://… for PostgreSQL).
//   npm run bench:admin -- [--count 100000] [--db file:/tmp/glassdesk-bench-admin.db] [--runs 5] [--fresh]
// The log is generated once (synthetic classifier, so it takes seconds, not hours) and reused
// while its size matches. Prints one table: median and worst of --runs timed runs per query.
import { rmSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { parseLogQuery } from '@/lib/admin/filters';
import { readLabelledCsv, seedLog, syntheticClassifier } from '@/lib/admin/seed';
import { connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { sqliteFilePath } from '@/lib/db/provider';
import { predictionDetail, reviewQueue } from '@/lib/admin/predictions';
import { listPredictions } from '@/lib/db/queries/admin';
import { limeWordImportance, overview } from '@/lib/db/queries/admin-overview';
import { banking77Csv } from '../support/dataset.mjs';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    db: { type: 'string', default: 'file:/tmp/glassdesk-bench-admin.db' },
    runs: { type: 'string', default: '5' },
    data: { type: 'string', default: '../shared/datasets/banking77/train.csv' },
    fresh: { type: 'boolean', default: false },
  },
});
const count = Number(values.count);
const runs = Number(values.runs);

async function prepare() {
  if (values.fresh && values.db.startsWith('file:')) rmSync(sqliteFilePath(values.db), { force: true });
  await migrateDatabase(values.db);
  const database = await connectDatabase(values.db);
  const existing = await database.prediction.count();
  if (existing !== count) {
    if (existing > 0) {
      await database.conversation.deleteMany();
    }
    const examples = readLabelledCsv(banking77Csv(values.data));
    const classifier = syntheticClassifier([...new Set(examples.map((e) => e.intent))].sort(), new Map(examples.map((e) => [e.text, e.intent])));
    const started = performance.now();
    // One in ten predictions with a stored LIME explanation, as a busy site would have.
    await seedLog(database, { count, explain: Math.floor(count / 10), days: 90, seed: 1, examples, classifier });
    console.log(`Generated ${count} predictions in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  }
  return database;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Wall time, and this process's CPU time (SQLite runs in-process), which a busy machine inflates less. */
async function time(name: string, work: () => Promise<unknown>): Promise<[string, number, number, number, string]> {
  const first = await work(); // warm-up: statement caches, page cache
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  const summary = typeof first === 'object' && first && 'total' in first ? `${(first as { total: number }).total} rows` : '';
  return [name, median(times), Math.max(...times), median(cpu), summary];
}

async function main() {
  const database = await prepare();
  const since90 = new Date(Date.now() - 90 * 24 * 60 * 60 * 1000);
  const since30 = new Date(Date.now() - 30 * 24 * 60 * 60 * 1000);
  const some = await database.prediction.findFirstOrThrow({ where: { explanations: { some: {} } }, select: { id: true, intent: true } });
  const results = [
    await time('log, newest first (page 1)', () => listPredictions(parseLogQuery({}))),
    await time('log, page 500', () => listPredictions(parseLogQuery({ page: '500' }))),
    await time('log, sorted by confidence', () => listPredictions(parseLogQuery({ sort: 'confidence', dir: 'asc' }))),
    await time('filter: intent', () => listPredictions(parseLogQuery({ intent: some.intent }))),
    await time('filter: intent + confidence + dates', () => listPredictions(parseLogQuery({ intent: some.intent, minConf: '0.2', maxConf: '0.9', from: since30.toISOString().slice(0, 10) }))),
    await time('filter: decision clarify', () => listPredictions(parseLogQuery({ decision: 'clarify' }))),
    await time('filter: thumbs down', () => listPredictions(parseLogQuery({ feedback: 'down' }))),
    await time('filter: unreviewed, faithfulness < 0.2', () => listPredictions(parseLogQuery({ review: 'unreviewed', faithBelow: '0.2' }))),
    await time('filter: methods disagree', () => listPredictions(parseLogQuery({ disagree: 'yes' }))),
    await time('search: "card"', () => listPredictions(parseLogQuery({ q: 'card' }))),
    await time('search: "exchange rate"', () => listPredictions(parseLogQuery({ q: 'exchange rate' }))),
    await time('needs-review queue (30 days)', () => reviewQueue(1, 50, since30)),
    await time('needs-review queue (all time)', () => reviewQueue(1, 50)),
    await time('detail', () => predictionDetail(some.id)),
    await time('overview (30 days)', () => overview(since30)),
    await time('overview (90 days)', () => overview(since90)),
    await time('LIME words for one intent', () => limeWordImportance(some.intent, since90)),
  ];
  const rows = await database.prediction.count();
  console.log(`\nAdmin queries on ${values.db.startsWith('file:') ? 'SQLite' : 'PostgreSQL'}, ${rows.toLocaleString('en')} predictions, ${runs} runs each (goal ≤ 200 ms)\n`);
  console.log(`Load average while running: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores\n`);
  if (!values.db.startsWith('file:')) console.log('CPU is this process only: on PostgreSQL the queries run in the server.\n');
  console.log('| query | median ms | worst ms | median CPU ms | matched |');
  console.log('|:--|--:|--:|--:|--:|');
  for (const [name, wall, worst, cpu, summary] of results) console.log(`| ${name} | ${wall.toFixed(1)} | ${worst.toFixed(1)} | ${cpu.toFixed(1)} | ${summary} |`);
  await database.$disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
