import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { turnRecordSchema } from '@/lib/records/turn';
import { explanationsRecordSchema } from '@/lib/records/explanation';
import { db } from '@/lib/db/client';
import { storeTurnRecord } from '@/lib/ingest/turns';
import { loadConversation } from '@/lib/ingest/conversations';
import { storeExplanations } from '@/lib/ingest/explanations';
import { readJson } from '@/lib/http/errors';
import { testProviders, withScratchDatabase } from '../support/databases';

// Found by the API fuzz (tests/e2e/api-fuzz.spec.ts): JSON escapes can carry text that a
// database cannot hold as sent. What the API reads must store and come back position for position.
const post = (body: string) => new Request('http://localhost/api', { method: 'POST', body, headers: { 'content-type': 'application/json' } });

function turnJson(text: string) {
  return {
    conversationId: randomUUID(),
    botId: 'banking77',
    user: { id: randomUUID(), seq: 0, text, parts: { kind: 'typed' } },
    reply: { id: randomUUID(), seq: 1, text: 'Cards arrive within five working days.', parts: { kind: 'answer', intent: 'card_arrival' } },
    prediction: {
      id: randomUUID(),
      modelId: 'banking77',
      modelVersion: 'test',
      intent: 'card_arrival',
      confidence: 0.9,
      topK: [{ intent: 'card_arrival', probability: 0.9 }],
      decision: 'answer',
      backend: 'wasm',
      latencyMs: 1,
    },
  };
}

describe.each(testProviders)('text read from requests, stored on %s', (provider) => {
  withScratchDatabase(provider);

  it('keeps every position of a message with NUL and lone surrogates', async () => {
    const sent = 'card \u0000 not \uD800 here \uDC00 yet \u{1F600}';
    const turn = await readJson(post(JSON.stringify(turnJson(sent))), turnRecordSchema, 64 * 1024);
    expect(await storeTurnRecord(turn)).toBe('stored');
    const [user] = (await loadConversation(turn.conversationId)).messages;
    expect(user!.text).toBe('card \uFFFD not \uFFFD here \uFFFD yet \u{1F600}');
    expect(user!.text).toHaveLength(sent.length);
  });

  it('stores explanations of a message with NUL and lone surrogates; keys outside the method’s schema are dropped', async () => {
    const turn = await readJson(post(JSON.stringify(turnJson('card\u0000 arrived'))), turnRecordSchema, 64 * 1024);
    await storeTurnRecord(turn);
    const explanation = {
      method: 'lime',
      version: 1,
      target: { index: 0, label: 'card_arrival', probability: 0.9 },
      settings: { seed: 7, 'seed\u0000': 7, note: 'a\uDBFFb' },
      words: [{ text: 'card', start: 0, end: 4 }, { text: 'arrived', start: 6, end: 13 }],
      scores: [0.5, 0.2],
      extra: { r2: 0.5, nested: [{ '\uD800': '\u0000' }] },
      timing: { ms: 1, forwardPasses: 1 },
    };
    const record = await readJson(post(JSON.stringify({ explanations: [explanation] })), explanationsRecordSchema, 1024 * 1024);
    expect(await storeExplanations(turn.prediction!.id, record)).toEqual({ stored: 1, duplicates: 0 });
    const [row] = await db().explanation.findMany({ where: { predictionId: turn.prediction!.id } });
    expect(row!.settings).toEqual({ seed: 7 });
    expect((row!.payload as { words: { text: string }[] }).words.map((word) => word.text)).toEqual(['card', 'arrived']);
    expect((row!.payload as { extra: unknown }).extra).toEqual({ r2: 0.5 });
  });
});
