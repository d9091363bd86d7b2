import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { queryE2eDatabase, waitForRows } from './support/database';
import { chatTurn, clientAddress, expectServerUnmoved, limeExplanations, PERSONAL, storedPersonalData, storedWordsOf, wordsOf } from './support/hostile';

// Hostile input against the production server, as issue 13 found it: one small request must not
// stop the server, and personal data must not reach the database however it is posted. Each
// test is a reproducer of one finding; the server derives what it stores and does not trust.

const json = (address = clientAddress()) => ({ 'content-type': 'application/json', 'x-forwarded-for': address });

async function storedTurn(request: APIRequestContext, text = 'my card has not arrived yet', address = clientAddress()) {
  const turn = chatTurn(text);
  const response = await request.post('/api/turns', { data: turn, headers: json(address) });
  expect(response.status()).toBe(201);
  return turn;
}

const explanationRows = (predictionId: string) => queryE2eDatabase<{ n: number }>('SELECT COUNT(*) AS n FROM Explanation WHERE predictionId = ?', predictionId)[0]!.n;

test.describe('hostile input', () => {
  test.describe.configure({ timeout: 120_000 });

  test('finding 2: unbounded word spans are refused at once, for unknown and known predictions alike', async ({ request }) => {
    const span = (start: number, end: number) => limeExplanations([{ text: 'hi', start, end }]);
    const unknown = await expectServerUnmoved(request, () => request.post(`/api/predictions/${randomUUID()}/explanations`, { data: span(0, 1_000_000_000), headers: json() }));
    expect(unknown.status()).toBe(404);

    const turn = await storedTurn(request, 'hi');
    for (const [start, end] of [
      [0, 1_000_000_000],
      [0, 2 ** 32],
      [2 ** 31, 1],
      [0, 1000],
    ]) {
      const response = await expectServerUnmoved(request, () => request.post(`/api/predictions/${turn.prediction.id}/explanations`, { data: span(start!, end!), headers: json() }));
      expect(response.status(), `span ${start}–${end}`).toBe(400);
    }
    expect(explanationRows(turn.prediction.id)).toBe(0);
    // The span the message has is taken.
    expect((await request.post(`/api/predictions/${turn.prediction.id}/explanations`, { data: span(0, 2), headers: json() })).status()).toBe(201);
  });

  test('finding 3: 60 touching 2,000-letter words are refused at once, and a client posting them is stopped by its byte budget', async ({ request }) => {
    const words = Array.from({ length: 60 }, (_, i) => ({ text: `${'a'.repeat(1999)}@`, start: i * 2000, end: (i + 1) * 2000 }));
    const body = JSON.stringify(limeExplanations(words));
    expect(body.length).toBeGreaterThan(120_000);
    const unknown = await expectServerUnmoved(request, () => request.post(`/api/predictions/${randomUUID()}/explanations`, { data: body, headers: json() }));
    expect(unknown.status()).toBe(404);

    const turn = await storedTurn(request);
    const address = clientAddress();
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    const started = performance.now();
    for (let i = 0; i < 60; i++) {
      const response = await request.post(`/api/predictions/${turn.prediction.id}/explanations`, { data: body, headers: json(address) });
      statuses.push(response.status());
      if (response.status() === 429) {
        retryAfter = response.headers()['retry-after'];
        break;
      }
    }
    // The request limit (180 a minute) would allow all 60: the byte budget (5.6 MiB a minute) stops them first.
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.length).toBeLessThan(60);
    expect(statuses.slice(0, -1).every((status) => status === 400)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(performance.now() - started, 'all posts of that client together (ms)').toBeLessThan(30_000);
    expect(explanationRows(turn.prediction.id)).toBe(0);
    await expectServerUnmoved(request, () => request.post(`/api/predictions/${turn.prediction.id}/explanations`, { data: body, headers: json(address) }));
  });

  test('finding 4: personal data in any free-text field, overlapping words or intents never reaches the database', async ({ request }) => {
    const { card, iban, email, phone } = PERSONAL;
    const address = clientAddress();
    const turn = chatTurn(`my card ${card} was charged, refund to ${iban}`);
    turn.reply.text = `Is ${email} yours, and ${phone}?`;
    Object.assign(turn.reply.parts, {
      quickReplies: [{ text: `Block ${card}`, intent: 'card_arrival' }],
      options: [{ intent: 'card_arrival', label: `Write to ${email}`, probability: 0.4 }],
    });
    expect((await request.post('/api/turns', { data: turn, headers: json(address) })).status()).toBe(201);
    const feedback = await request.put(`/api/messages/${turn.reply.id}/feedback`, {
      data: { id: randomUUID(), helpful: false, comment: `call me on ${phone} or write to ${email}; card ${card}, IBAN ${iban}` },
      headers: json(address),
    });
    expect(feedback.status()).toBe(204);

    // Overlapping words used to defeat word redaction; now words must be the message's.
    const overlapping = limeExplanations([
      { text: card.replace(/ /g, ''), start: 0, end: 16 },
      { text: 'x', start: 5, end: 6 },
    ]);
    expect((await request.post(`/api/predictions/${turn.prediction.id}/explanations`, { data: overlapping, headers: json(address) })).status()).toBe(400);
    // The message's own words are taken, and stored as the stored (masked) message's.
    const words = wordsOf(turn.user.text);
    expect((await request.post(`/api/predictions/${turn.prediction.id}/explanations`, { data: limeExplanations(words), headers: json(address) })).status()).toBe(201);

    // Card numbers and IBANs as intents, model ids and versions: refused, or masked.
    for (const forge of [
      (t: ReturnType<typeof chatTurn>) => (t.prediction.intent = card.replace(/ /g, '')),
      (t: ReturnType<typeof chatTurn>) => (t.prediction.topK = [{ intent: iban.replace(/ /g, ''), probability: 0.5 }]),
      (t: ReturnType<typeof chatTurn>) => (t.prediction.modelId = iban.replace(/ /g, '')),
    ]) {
      const forged = chatTurn('where is my card');
      forge(forged);
      expect((await request.post('/api/turns', { data: forged, headers: json(address) })).status()).toBe(400);
    }
    const versioned = chatTurn('where is my card', 'card_arrival', card.replace(/ /g, ''));
    expect((await request.post('/api/turns', { data: versioned, headers: json(address) })).status()).toBe(201);

    expect(storedPersonalData()).toEqual([]);
  });

  test('finding 8: unknown bots are refused; other versions and forged figures never end verified; every turn has a prediction', async ({ request }) => {
    const address = clientAddress();
    const otherBot = { ...chatTurn('where is my card'), botId: 'otherbot' };
    otherBot.prediction.modelId = 'otherbot';
    expect((await request.post('/api/turns', { data: otherBot, headers: json(address) })).status()).toBe(400);
    const unpredicted = { ...chatTurn('where is my card'), prediction: undefined };
    expect((await request.post('/api/turns', { data: unpredicted, headers: json(address) })).status()).toBe(400);

    const future = chatTurn('my new card still has not come in the post', 'card_arrival', '2099-01-01T00:00:00+00:00');
    // The top intent is right; the confidence, the runner-up and the decision are forged.
    const forged = chatTurn('my new card still has not come in the post', 'card_arrival');
    Object.assign(forged.prediction, { confidence: 0.2, topK: [{ intent: 'card_arrival', probability: 0.2 }, { intent: 'age_limit', probability: 0.19 }], decision: 'handoff' });
    for (const turn of [future, forged]) expect((await request.post('/api/turns', { data: turn, headers: json(address) })).status()).toBe(201);
    // A version the store does not have is checked against nothing and fails, saying so; the forged figures run on the version they name.
    const expected = [
      { turn: future, row: { verification: 'failed', verifiedIntent: null, verificationReason: expect.stringMatching(/is not a stored version of bot banking77/) } },
      { turn: forged, row: { verification: 'mismatch', verifiedIntent: 'card_arrival', verificationReason: expect.any(String) } },
    ];
    for (const { turn, row: want } of expected) {
      const [row] = await waitForRows<{ verification: string; verifiedIntent: string | null; verificationReason: string | null }>(
        1,
        "SELECT verification, verifiedIntent, verificationReason FROM Prediction WHERE id = ? AND verification != 'pending'",
        turn.prediction.id,
      );
      expect(row, `${turn.prediction.modelVersion}: verified by now`).toBeDefined();
      expect(row).toEqual(want);
    }
    // Every stored turn has its prediction, or is one the model did not classify (a request for a person).
    const unchecked = queryE2eDatabase<{ id: string; parts: string }>(
      `SELECT m.id, m.parts FROM Message m LEFT JOIN Prediction p ON p.messageId = m.id WHERE m.role = 'user' AND p.id IS NULL`,
    ).filter((message) => {
      const parts = JSON.parse(message.parts ?? '{}') as { kind?: string; chosenIntent?: string };
      return !(parts.kind === 'handoff-request' || (parts.kind === 'clarification' && parts.chosenIntent));
    });
    expect(unchecked).toEqual([]);
  });

  test('finding 9: explanations that do not fit their message are refused, and every stored one fits', async ({ request }) => {
    const turn = await storedTurn(request, 'why was my transfer declined');
    const words = wordsOf(turn.user.text);
    const injected = words.map((word, i) => (i === 1 ? { ...word, text: '<b>' } : word));
    const response = await expectServerUnmoved(request, () => request.post(`/api/predictions/${turn.prediction.id}/explanations`, { data: limeExplanations(injected), headers: json() }));
    expect(response.status()).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/words\[1\]\.text is not the message's word 1/);
    const scores = { ...limeExplanations(words) };
    scores.explanations[0]!.scores = [0.5];
    expect((await request.post(`/api/predictions/${turn.prediction.id}/explanations`, { data: scores, headers: json() })).status()).toBe(400);
    const settings = limeExplanations(words);
    (settings.explanations[0]!.settings as Record<string, unknown>).samples = '<script>';
    expect((await request.post(`/api/predictions/${turn.prediction.id}/explanations`, { data: settings, headers: json() })).status()).toBe(400);
    expect((await request.post(`/api/predictions/${turn.prediction.id}/explanations`, { data: limeExplanations(words), headers: json() })).status()).toBe(201);

    const rows = queryE2eDatabase<{ payload: string; text: string }>(
      'SELECT e.payload, m.text FROM Explanation e JOIN Prediction p ON p.id = e.predictionId JOIN Message m ON m.id = p.messageId',
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect((JSON.parse(row.payload) as { words: unknown }).words).toEqual(storedWordsOf(row.text));
  });

  test('finding 1: a message of 31 digits and a letter is answered at once, and so are its words posted as an explanation', async ({ request }) => {
    const text = `ref ${'1'.repeat(31)}a`;
    const unknown = await expectServerUnmoved(request, () => request.post(`/api/predictions/${randomUUID()}/explanations`, { data: limeExplanations(wordsOf(text)), headers: json() }));
    expect(unknown.status()).toBe(404);
    const turn = chatTurn(text);
    const stored = await expectServerUnmoved(request, () => request.post('/api/turns', { data: turn, headers: json() }));
    expect(stored.status()).toBe(201);
    const explained = await expectServerUnmoved(request, () =>
      request.post(`/api/predictions/${turn.prediction.id}/explanations`, { data: limeExplanations(wordsOf(text)), headers: json() }),
    );
    expect(explained.status()).toBe(201);
  });
});
