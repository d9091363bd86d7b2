// The training export closes the loop: messages reviewed in the admin are exported in the
// training pipeline's input format and a (tiny) model trains on them with the original data.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamLines, trainingCsvHeader, trainingCsvLine } from '@/lib/admin/export';
import { readLabelledCsv } from '@/lib/admin/seed';
import { turnRecordSchema } from '@/lib/records/turn';
import { db, connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { iterateTrainingRows } from '@/lib/db/queries/admin';
import { reviewPrediction } from '@/lib/admin/predictions';
import { createAdminUser } from '@/lib/auth/admins';
import { storeTurnRecord } from '@/lib/ingest/turns';
import { runTrain, syntheticCsv, tempDir, tinyVectors } from '../model/helpers';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases';

const TINY = ['--hidden', '32', '--ff', '64', '--layers', '1', '--heads', '2', '--vocab-size', '300', '--epochs', '8', '--patience', '8', '--batch-size', '16', '--lr', '3e-3', '--quiet'];
const KNOWN = new Set(['lost_card', 'balance', 'transfer', 'greeting']);

// What visitors wrote, what the model said, and what a reviewer did.
const LOG = [
  { text: 'my card, the "gold" one, was stolen', intent: 'balance', review: { action: 'relabel', intent: 'lost_card' } },
  { text: 'cannot find my visa anywhere', intent: 'transfer', review: { action: 'relabel', intent: 'lost_card' } },
  { text: 'how much is left on my account', intent: 'balance', review: { action: 'correct' } },
  { text: 'pay my landlord please', intent: 'transfer', review: { action: 'correct' } },
  { text: 'good evening bot', intent: 'balance', review: { action: 'relabel', intent: 'greeting' } },
  { text: 'something odd happened', intent: 'greeting', review: { action: 'flag' } },
  { text: 'send cash to my mother', intent: 'transfer', review: null },
] as const;

describe('training export', () => {
  let database: ScratchDatabase;

  beforeAll(async () => {
    database = await createScratchDatabase('sqlite');
    await migrateDatabase(database.url);
    await connectDatabase(database.url);
    const reviewer = (await createAdminUser('trainer@example.com', 'a long enough password')).id;
    for (const entry of LOG) {
      const turn = turnRecordSchema.parse({
        conversationId: randomUUID(),
        botId: 'banking77',
        user: { id: randomUUID(), seq: 0, text: entry.text, parts: { kind: 'typed' } },
        reply: { id: randomUUID(), seq: 1, text: 'A reply.', parts: { kind: 'answer' } },
        prediction: { id: randomUUID(), modelId: 'tiny', modelVersion: '1', intent: entry.intent, confidence: 0.6, topK: [{ intent: entry.intent, probability: 0.6 }], decision: 'answer', backend: 'wasm', latencyMs: 1 },
      });
      await storeTurnRecord(turn);
      if (entry.review) await reviewPrediction(turn.prediction!.id, reviewer, entry.review, KNOWN);
    }
  });

  afterAll(async () => {
    await db().$disconnect();
    await database.drop();
  });

  async function exportCsv(): Promise<string> {
    const body = streamLines(iterateTrainingRows(2), trainingCsvHeader(), trainingCsvLine);
    return new Response(body).text();
  }

  it('holds the reviewed messages only, labelled as reviewed, quoted where needed', async () => {
    const csv = await exportCsv();
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('text,intent');
    expect(lines.slice(1).sort()).toEqual(
      [
        '"my card, the ""gold"" one, was stolen",lost_card',
        'cannot find my visa anywhere,lost_card',
        'good evening bot,greeting',
        'how much is left on my account,balance',
        'pay my landlord please,transfer',
      ].sort(),
    );
  });

  it('trains with the original data: npm run train -- --data export.csv --extra original.csv', async () => {
    const dir = tempDir('loop');
    const exported = path.join(dir, 'export.csv');
    const original = path.join(dir, 'original.csv');
    writeFileSync(exported, await exportCsv());
    writeFileSync(original, syntheticCsv());
    // The pipeline reads the export as we wrote it.
    expect(readLabelledCsv(exported)).toContainEqual({ text: 'my card, the "gold" one, was stolen', intent: 'lost_card' });
    const out = path.join(dir, 'model');
    const result = runTrain(['--data', exported, '--extra', original, '--out', out, '--vectors', tinyVectors(dir), '--seed', '3', '--test-frac', '0.2', '--val-frac', '0.2', '--no-audit', ...TINY]);
    expect(result.status, result.stderr).toBe(0);
    const card = JSON.parse(readFileSync(path.join(out, 'model-card.json'), 'utf8'));
    expect(card.labels).toEqual(['balance', 'greeting', 'lost_card', 'transfer']);
    // 120 original rows + the 5 reviewed ones.
    expect(card.training.rows).toBe(125);
  }, 300_000);
});
