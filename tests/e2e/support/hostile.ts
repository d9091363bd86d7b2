import { randomUUID } from 'node:crypto';
import { expect, type APIRequestContext, type APIResponse } from '@playwright/test';
import { maskedWordSpans, wordSpans } from '../../../lib/model/spans';
import { MASK } from '../../../lib/bot/redact';
import { queryE2eDatabase } from './database';
import { shippedVersion } from './model-version';

/**
 * Personal data as attackers and careless visitors post it, and what of it must never be
 * found in a stored row (separators removed): enough of each to identify it.
 */
export const PERSONAL = {
  card: '5500 0000 0000 0004',
  iban: 'DE89 3704 0044 0532 0130 00',
  email: 'john.doe@example.com',
  phone: '+49 30 12345678',
} as const;
export const PERSONAL_TRACES = ['550000000000', '370400440532', 'johndoe', '30123456'];

const CHAT_TABLES = ['Conversation', 'Message', 'Prediction', 'Explanation', 'Feedback', 'Review'];

/** Rows of the chat tables holding a trace of `PERSONAL`, any column (text, JSON), separators removed. */
export function storedPersonalData(): { table: string; trace: string; row: string }[] {
  const found: { table: string; trace: string; row: string }[] = [];
  for (const table of CHAT_TABLES) {
    for (const row of queryE2eDatabase<Record<string, unknown>>(`SELECT * FROM "${table}"`)) {
      const flat = JSON.stringify(row).replace(/[\s.\-\u00a0\u200b]|\\u00a0|\\u200b/g, '');
      for (const trace of PERSONAL_TRACES) if (flat.includes(trace)) found.push({ table, trace, row: flat.slice(0, 300) });
    }
  }
  return found;
}

/** A fresh client address per use, so per-client budgets neither refuse these requests nor spend another spec's. */
let clients = 0;
export const clientAddress = () => `2001:db8:13::${(++clients).toString(16)}`;

/**
 * Sends a hostile request and, while it is in flight, asks `/api/health`: the server must go on
 * answering (within 200 ms) and the hostile request must end within 1 s, whatever its answer.
 * Health is asked once before (so the connection is open) and then until the hostile request
 * ends (at least once, at most three times); the fastest answer counts, so a busy machine's
 * scheduling noise does not fail the test, while a blocked event loop delays every answer.
 */
export async function expectServerUnmoved(request: APIRequestContext, send: () => Promise<APIResponse>): Promise<APIResponse> {
  expect((await request.get('/api/health')).status()).toBe(200);
  const started = performance.now();
  let done = false;
  const hostile = send().then((response) => {
    done = true;
    return { response, ms: performance.now() - started };
  });
  // Let the hostile body reach the server first.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const healthMs: number[] = [];
  do {
    const healthStarted = performance.now();
    const health = await request.get('/api/health');
    healthMs.push(performance.now() - healthStarted);
    expect(health.status()).toBe(200);
  } while (!done && healthMs.length < 3);
  const { response, ms } = await hostile;
  expect(Math.min(...healthMs), `/api/health while the hostile request was in flight (ms): ${healthMs.map(Math.round).join(', ')}`).toBeLessThan(200);
  expect(ms, 'the hostile request (ms)').toBeLessThan(1000);
  expect(response.status(), 'a refusal, never a server error').toBeLessThan(500);
  return response;
}

/** A turn as the chat posts it, its prediction for the demo model's served version. */
export function chatTurn(text: string, intent = 'card_arrival', modelVersion = servedVersion()) {
  return {
    conversationId: randomUUID(),
    botId: 'banking77',
    user: { id: randomUUID(), seq: 0, text, parts: { kind: 'typed' } },
    reply: { id: randomUUID(), seq: 1, text: 'Cards arrive within five working days.', parts: { kind: 'answer', intent } },
    prediction: {
      id: randomUUID(),
      modelId: 'banking77',
      modelVersion,
      intent,
      confidence: 0.9,
      topK: [{ intent, probability: 0.9 }],
      decision: 'answer',
      backend: 'wasm',
      latencyMs: 4,
    },
  };
}

/** The version the server serves for the demo bot: the one this build ships (the model versions spec restores it when it ends). */
export function servedVersion(): string {
  return shippedVersion('banking77');
}

/** The words of `text` as the browser splits them (lib/model `wordSpans`). */
/** The demo bot's word units of a message, as the panel posts them. */
export function wordsOf(text: string) {
  return wordSpans(text, 'en');
}

/** The word units the server cuts from a stored (masked) message. */
export function storedWordsOf(text: string) {
  return maskedWordSpans(text, 'en', MASK);
}

/** A LIME explanation over `words`, as the panel posts it. */
export function limeExplanations(words: { text: string; start: number; end: number }[], label = 'card_arrival') {
  return {
    explanations: [
      {
        method: 'lime',
        version: 1,
        target: { index: 12, label, probability: 0.9 },
        settings: { samples: 400, seed: 42 },
        words,
        scores: words.map(() => 0.1),
        extra: { intercept: 0.1, r2: 0.8 },
        timing: { ms: 50, forwardPasses: 7 },
      },
    ],
  };
}
