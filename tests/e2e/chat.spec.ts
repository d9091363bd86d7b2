import { expect, test, type Page } from '@playwright/test';
import type { Explanation } from '@/lib/explain/types';
import { formatScore } from '@/lib/ui/explain/format';
import { ChatPage } from './pages/chat-page';
import { queryE2eDatabase, waitForRows } from './support/database';

// Thirty questions a bank's customers ask, written for this test (not from the training data).
const QUERIES = [
  'my new card still has not come in the post',
  'how long will it take for my card to be delivered',
  'I forgot my PIN and now it is blocked',
  'someone stole my wallet with my card in it',
  'can I use Apple Pay with this account',
  'why was I charged extra for a cash withdrawal',
  'the exchange rate on my payment looks wrong',
  'how do I top up using my debit card',
  'my top up has been pending for hours',
  'I want to cancel a transfer I just made',
  'the money I sent never reached my friend',
  'how do I change my PIN',
  'which currencies can I hold in the app',
  'I need a virtual card for online shopping',
  'my card payment was declined at the shop',
  'the ATM gave me less cash than I asked for',
  'how can I verify my identity',
  'is there an age limit to open an account',
  'I want to close my account',
  'there is a payment on my statement I do not recognise',
  'can I get a refund for something I bought',
  'how do I set up automatic top ups',
  'what are the limits for topping up',
  'my contactless is not working',
  'can I transfer money from another country',
  'why did my transfer fail',
  'how do I link my card to the app',
  'I was charged twice for the same thing',
  'do you support Google Pay',
  'my salary has not arrived in my account',
];

// Chosen on the demo model: its two most probable intents are close for this message.
const AMBIGUOUS = 'refund';

type StoredPrediction = { intent: string; confidence: number; topK: string; backend: string; seq: number; verification: string; verifiedIntent: string | null; verifiedConfidence: number | null };

function trackOutsideRequests(page: Page): string[] {
  const outside: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['127.0.0.1', 'localhost'].includes(url.hostname) && !['data:', 'blob:'].includes(url.protocol)) outside.push(request.url());
  });
  return outside;
}

async function runQueries(page: Page, device: 'webgpu' | 'wasm') {
  const chat = new ChatPage(page);
  await chat.open(`?device=${device}`);
  expect(await chat.waitForModel()).toBe(device);
  for (const query of QUERIES) await chat.ask(query);
  const conversationId = await chat.conversationId();
  // Stored at once, verified by the server's own run of the model just after: wait for both.
  const rows = await waitForRows<StoredPrediction>(
    QUERIES.length,
    `SELECT p.intent, p.confidence, p.topK, p.backend, m.seq, p.verification, p.verifiedIntent, p.verifiedConfidence
     FROM Prediction p JOIN Message m ON m.id = p.messageId WHERE m.conversationId = ? AND p.verification <> 'pending' ORDER BY m.seq`,
    conversationId,
  );
  expect(rows).toHaveLength(QUERIES.length);
  return rows;
}

test.describe('chat', () => {
  test.describe.configure({ timeout: 240_000 });

  test('WebGPU and WebAssembly give the same intents and probabilities for 30 questions, the server verifies each, and no request leaves the site', async ({ browser }) => {
    const results: Record<string, StoredPrediction[]> = {};
    const outside: string[] = [];
    for (const device of ['webgpu', 'wasm'] as const) {
      // A fresh context per backend: its own conversation and cache.
      const context = await browser.newContext();
      const page = await context.newPage();
      outside.push(...trackOutsideRequests(page));
      results[device] = await runQueries(page, device);
      await context.close();
    }
    const webgpu = results.webgpu!;
    const wasm = results.wasm!;
    expect(webgpu.every((row) => row.backend === 'webgpu')).toBe(true);
    expect(wasm.every((row) => row.backend === 'wasm')).toBe(true);
    expect(webgpu.map((row) => row.intent)).toEqual(wasm.map((row) => row.intent));
    for (let i = 0; i < QUERIES.length; i++) {
      const a = JSON.parse(webgpu[i]!.topK) as { intent: string; probability: number }[];
      const b = JSON.parse(wasm[i]!.topK) as { intent: string; probability: number }[];
      expect(a.map((entry) => entry.intent), QUERIES[i]).toEqual(b.map((entry) => entry.intent));
      for (let k = 0; k < a.length; k++) expect(Math.abs(a[k]!.probability - b[k]!.probability), QUERIES[i]).toBeLessThan(1e-3);
    }
    // The server re-ran the model (onnxruntime-node) on every message: same intents, same confidences.
    for (const row of [...webgpu, ...wasm]) {
      expect(row.verification, `${row.backend} #${row.seq}`).toBe('verified');
      expect(row.verifiedIntent).toBe(row.intent);
      expect(Math.abs(row.verifiedConfidence! - row.confidence), `${row.backend} #${row.seq}`).toBeLessThan(1e-3);
    }
    // The model answers: most of these everyday questions get an answer, not a hand-off.
    expect(wasm.filter((row) => row.intent !== 'oos').length).toBeGreaterThanOrEqual(25);
    expect(outside).toEqual([]);
  });
});

test.describe('conversation', () => {
  test.describe.configure({ timeout: 120_000 });

  test('answers with quick replies, and a quick reply is answered in turn', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    const reply = await chat.ask('my new card still has not arrived');
    await expect(reply).toHaveAttribute('data-kind', 'answer');
    await expect(reply).toHaveAttribute('data-intent', 'card_arrival');
    const quick = reply.getByTestId('quick-replies').getByRole('button').first();
    const question = (await quick.textContent()) ?? '';
    await quick.click();
    await expect(chat.messagesFrom('user').last()).toContainText(question);
    await expect(chat.messagesFrom('assistant')).toHaveCount(2);
    await expect(chat.input).toBeEnabled();
  });

  test('asks "Did you mean" when intents are close, and the choice answers it', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    const reply = await chat.ask(AMBIGUOUS);
    await expect(reply).toHaveAttribute('data-kind', 'clarify');
    const options = reply.getByTestId('clarify-options').locator('button[data-intent]');
    expect(await options.count()).toBeGreaterThanOrEqual(2);
    const chosen = options.nth(1);
    const intent = (await chosen.getAttribute('data-intent'))!;
    await chosen.click();
    await expect(chat.lastReply()).toHaveAttribute('data-kind', 'answer');
    await expect(chat.lastReply()).toHaveAttribute('data-intent', intent);
    // Stored: the choice names the intent and the prediction it resolves.
    const conversationId = await chat.conversationId();
    const [choice] = await waitForRows<{ parts: string }>(
      1,
      `SELECT parts FROM Message WHERE conversationId = ? AND role = 'user' AND seq = 2`,
      conversationId,
    );
    const parts = JSON.parse(choice!.parts) as { kind: string; chosenIntent: string; resolvesPrediction: string };
    expect(parts).toMatchObject({ kind: 'clarification', chosenIntent: intent });
    const [resolved] = queryE2eDatabase<{ decision: string }>(`SELECT decision FROM Prediction WHERE id = ?`, parts.resolvesPrediction);
    expect(resolved?.decision).toBe('clarify');
  });

  test('hands off what is out of scope, and records the request for a person', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    const reply = await chat.ask('what will the weather be like in Paris tomorrow?');
    await expect(reply).toHaveAttribute('data-kind', 'handoff');
    await reply.getByTestId('handoff-button').click();
    await expect(chat.lastReply()).toHaveAttribute('data-kind', 'handoff-requested');
    const conversationId = await chat.conversationId();
    const rows = await waitForRows<{ decision: string; parts: string }>(
      2,
      `SELECT p.decision, m.parts FROM Message m LEFT JOIN Prediction p ON p.messageId = m.id WHERE m.conversationId = ? AND m.role = 'user' ORDER BY m.seq`,
      conversationId,
    );
    expect(rows[0]!.decision).toBe('handoff');
    expect(JSON.parse(rows[1]!.parts)).toEqual({ kind: 'handoff-request' });
  });

  test('a reload restores the conversation, and feedback lands in the database', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    await chat.ask('I want to close my account');
    await chat.ask('how do I change my PIN');
    const conversationId = await chat.conversationId();
    await waitForRows(4, `SELECT id FROM Message WHERE conversationId = ?`, conversationId);

    await page.reload();
    await chat.waitForModel();
    await expect(chat.messagesFrom('user')).toHaveText(['You said: I want to close my account', 'You said: how do I change my PIN']);
    await expect(chat.messagesFrom('assistant')).toHaveCount(2);

    const first = chat.messagesFrom('assistant').first();
    const replyId = queryE2eDatabase<{ id: string }>(`SELECT id FROM Message WHERE conversationId = ? AND seq = 1`, conversationId)[0]!.id;
    await first.getByTestId('feedback-down').click();
    await first.getByTestId('feedback-comment').fill('I wanted to close it today');
    await first.getByTestId('feedback-send').click();
    const [feedback] = await waitForRows<{ helpful: number; comment: string }>(1, `SELECT helpful, comment FROM Feedback WHERE messageId = ? AND comment IS NOT NULL`, replyId);
    expect(feedback).toEqual({ helpful: 0, comment: 'I wanted to close it today' });

    await chat.messagesFrom('assistant').last().getByTestId('feedback-up').click();
    const lastReplyId = queryE2eDatabase<{ id: string }>(`SELECT id FROM Message WHERE conversationId = ? AND seq = 3`, conversationId)[0]!.id;
    const [up] = await waitForRows<{ helpful: number }>(1, `SELECT helpful FROM Feedback WHERE messageId = ?`, lastReplyId);
    expect(up!.helpful).toBe(1);
  });

  test('two quick messages both end with a working panel, and what is stored for each equals what its panel showed', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    const texts = ['someone stole my wallet with my card in it', 'which currencies can I hold in the app'];
    // The second goes out as soon as the first is answered: the first reply's explanation, unwatched, may be cancelled.
    await chat.ask(texts[0]!);
    await chat.ask(texts[1]!);
    const [older, newer] = [chat.messagesFrom('assistant').nth(0), chat.messagesFrom('assistant').nth(1)];
    // The newest reply's panel is there first; the older one's is explained when it opens, if it was cancelled.
    const panels = [await chat.explain(newer), await chat.explain(older)].reverse();
    for (const panel of panels) {
      await expect(panel).toHaveAttribute('data-status', 'ready');
      await expect(panel.getByTestId('why-error')).toHaveCount(0);
    }

    const conversationId = await chat.conversationId();
    const rows = await waitForRows<{ seq: number; method: string; payload: string }>(
      2 * 6,
      `SELECT m.seq, e.method, e.payload FROM Explanation e JOIN Prediction p ON p.id = e.predictionId JOIN Message m ON m.id = p.replyId
       WHERE m.conversationId = ? ORDER BY m.seq, e.method`,
      conversationId,
    );
    // Each reply's explanations stored once, every method (SHAP too when the panel's budget fitted it).
    expect(new Set(rows.map((row) => `${row.seq} ${row.method}`)).size).toBe(rows.length);
    expect(rows.filter((row) => row.method !== 'shap').map((row) => `${row.seq} ${row.method}`)).toEqual(
      [1, 3].flatMap((seq) => ['attention', 'counterfactual', 'lime', 'occlusion', 'rollout', 'similar'].map((method) => `${seq} ${method}`)),
    );
    for (const [i, reply] of [older, newer].entries()) {
      const stored = Object.fromEntries(rows.filter((row) => row.seq === 2 * i + 1).map((row) => [row.method, JSON.parse(row.payload) as Explanation]));
      expect(stored.lime!.words.map((word) => word.text).join(' ')).toBe(texts[i]);
      expect(stored.lime!.target.label).toBe(await reply.getAttribute('data-intent'));
      for (const method of ['lime', 'occlusion', 'attention', 'rollout'] as const) {
        const explanation = stored[method]!;
        expect(await chat.wordScoresShown(panels[i]!, method), `${texts[i]}: ${method}`).toEqual(
          explanation.words.map((word, w) => [word.text, formatScore(explanation.scores![w]!)]),
        );
      }
    }
  });

  test('a phone-sized screen can hold the whole conversation', async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 667 });
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    await chat.ask('how do I top up using my debit card');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expect(chat.input).toBeInViewport();
  });
});

test('when the model cannot load, the chat says so and how to reach a person', async ({ page }) => {
  await page.route('**/models/**', (route) => route.fulfill({ status: 503, body: 'unavailable' }));
  const chat = new ChatPage(page);
  await chat.open('?device=wasm');
  const alert = page.getByTestId('model-failed');
  await expect(alert).toBeVisible({ timeout: 30_000 });
  await expect(alert).toHaveAttribute('role', 'alert');
  await expect(alert).toContainText('could not start');
  await expect(alert).toContainText(/call us|write to/i);
  await expect(chat.sendButton).toBeDisabled();
});
