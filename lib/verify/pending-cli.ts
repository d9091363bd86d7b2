// Verifies the predictions left pending (the server stopped before it got to them, or
// verification was off): the same checks the ingest route runs after each response.
//   npm run verify:pending -- [--min-age 60] [--limit 100000]
// --min-age skips rows younger than that many seconds, which a running server may still be
// verifying. The database is the one DATABASE_URL names; each prediction is checked against the
// model version it names, from the model store MODEL_STORE_DIR names.
import { parseArgs } from 'node:util';
import { getConfig } from '@/lib/config';
import { connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { Verifier } from './verifier';
import { runCli } from '@/lib/cli';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'min-age': { type: 'string', default: '60' },
      limit: { type: 'string', default: '100000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('Usage: npm run verify:pending -- [--min-age SECONDS] [--limit N]');
    return 0;
  }
  const minAgeMs = Number(values['min-age']) * 1000;
  const limit = Number(values.limit);
  if (!Number.isFinite(minAgeMs) || minAgeMs < 0) throw new Error('--min-age must be a number of seconds, 0 or more.');
  if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit must be a whole number, 1 or more.');

  const { DATABASE_URL } = getConfig();
  // Same as the server at start: a database that is behind gets the committed migrations first.
  await migrateDatabase(DATABASE_URL);
  const database = await connectDatabase(DATABASE_URL);
  // No ingest to make room for here: batches back to back.
  const verifier = new Verifier({ windowMs: 0, maxBatch: 64, maxShare: 1 });
  const counts = { verified: 0, mismatch: 0, failed: 0 };
  const started = performance.now();
  try {
    // Pages of pending rows until none is left (or the limit is reached); each page is stored before the next is read.
    for (let done = 0; done < limit; ) {
      const outcomes = await verifier.verifyPending({ limit: Math.min(256, limit - done), minAgeMs });
      if (outcomes.length === 0) break;
      for (const outcome of outcomes) counts[outcome.verification]++;
      done += outcomes.length;
    }
    const total = counts.verified + counts.mismatch + counts.failed;
    console.log(
      `Checked ${total} pending prediction(s) in ${((performance.now() - started) / 1000).toFixed(1)} s: ${counts.verified} verified, ${counts.mismatch} mismatch, ${counts.failed} failed.`,
    );
    return 0;
  } finally {
    await verifier.close();
    await database.$disconnect();
  }
}

runCli(main);
