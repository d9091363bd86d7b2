import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { Explanation } from '@/lib/explain/types';
import { formatScore } from '@/lib/ui/explain/format';
import { e2eDatabaseFile } from '../../playwright.config';
import { freePort } from '../support/net.mjs';
import { ChatPage } from './pages/chat-page';
import { queryDatabase, queryE2eDatabase, waitForRows, waitForRowsIn } from './support/database';
import { startNextServer } from './support/next-server.mjs';

// Nothing lost: records made while the server is down or failing wait in the browser's
// outbox and arrive exactly once when it answers again, without a reload.

const METHODS = ['attention', 'counterfactual', 'lime', 'occlusion', 'rollout', 'similar'];
/** Stored when the panel's time budget fitted it (reported as dropped otherwise): at most once per prediction. */
const BUDGETED = 'shap';
const ONLINE = ['my new card still has not arrived', 'how do I change my PIN'];
const OFFLINE = ['I was charged twice for the same thing', 'can I use Apple Pay with this account', 'why did my transfer fail'];

type Shown = { role: string; text: string; intent: string | null };
type StoredMessage = { id: string; seq: number; role: string; text: string; intent: string | null };

/** The conversation as the page shows it: who said what, and the intent behind each reply. */
function shownConversation(page: Page): Promise<Shown[]> {
  return page.getByTestId('message').evaluateAll((nodes) =>
    nodes.map((node) => {
      const bubble = node.querySelector(':scope > p')!.cloneNode(true) as HTMLElement;
      bubble.querySelectorAll('.sr-only').forEach((label) => label.remove());
      return { role: node.getAttribute('data-role') ?? '', text: bubble.textContent ?? '', intent: node.getAttribute('data-intent') };
    }),
  );
}

/** Messages as stored, in order, each reply with the intent of the prediction behind it. */
function storedConversation(file: string, conversationId: string): StoredMessage[] {
  return queryDatabase<StoredMessage>(
    file,
    `SELECT m.id, m.seq, m.role, m.text, p.intent FROM Message m LEFT JOIN Prediction p ON p.replyId = m.id
     WHERE m.conversationId = ? ORDER BY m.seq`,
    conversationId,
  );
}

/** Every row the conversation stored, counted, so that a record stored twice shows. */
function countRows(file: string, conversationId: string) {
  const [counts] = queryDatabase<{ messages: number; predictions: number; explanations: number; distinctExplanations: number; feedback: number }>(
    file,
    `SELECT
       (SELECT COUNT(*) FROM Message WHERE conversationId = $c) AS messages,
       (SELECT COUNT(*) FROM Prediction p JOIN Message m ON m.id = p.messageId WHERE m.conversationId = $c) AS predictions,
       (SELECT COUNT(*) FROM Explanation e JOIN Prediction p ON p.id = e.predictionId JOIN Message m ON m.id = p.messageId WHERE m.conversationId = $c) AS explanations,
       (SELECT COUNT(DISTINCT e.predictionId || e.method) FROM Explanation e JOIN Prediction p ON p.id = e.predictionId JOIN Message m ON m.id = p.messageId WHERE m.conversationId = $c) AS distinctExplanations,
       (SELECT COUNT(*) FROM Feedback f JOIN Message m ON m.id = f.messageId WHERE m.conversationId = $c) AS feedback`,
    { c: conversationId },
  );
  return counts!;
}

function methodsPerPrediction(file: string, conversationId: string): string[][] {
  const rows = queryDatabase<{ methods: string }>(
    file,
    `SELECT GROUP_CONCAT(e.method) AS methods FROM Prediction p JOIN Message m ON m.id = p.messageId
     LEFT JOIN Explanation e ON e.predictionId = p.id WHERE m.conversationId = ? GROUP BY p.id ORDER BY m.seq`,
    conversationId,
  );
  return rows.map((row) => (row.methods ?? '').split(',').sort());
}

/** Checks what the database holds against what the page showed, then that a reload shows the same. */
async function expectStoredAsShown(chat: ChatPage, file: string, turns: number) {
  const { page } = chat;
  const conversationId = await chat.conversationId();
  const shown = await shownConversation(page);
  expect(shown).toHaveLength(2 * turns);

  const methods = methodsPerPrediction(file, conversationId);
  const budgeted = methods.filter((list) => list.includes(BUDGETED)).length;
  expect(countRows(file, conversationId)).toEqual({
    messages: 2 * turns,
    predictions: turns,
    explanations: turns * METHODS.length + budgeted,
    distinctExplanations: turns * METHODS.length + budgeted,
    feedback: 1,
  });
  expect(methods.map((list) => list.filter((method) => method !== BUDGETED))).toEqual(Array.from({ length: turns }, () => METHODS));
  const stored = storedConversation(file, conversationId);
  expect(stored.map((m) => m.seq)).toEqual(shown.map((_, i) => i));
  expect(stored.map(({ role, text, intent }) => ({ role, text, intent: role === 'user' ? null : intent }))).toEqual(
    shown.map(({ role, text, intent }) => ({ role, text, intent: role === 'user' ? null : intent })),
  );

  await page.reload();
  await chat.waitForModel();
  await expect(chat.messages).toHaveCount(2 * turns);
  expect(await shownConversation(page)).toEqual(shown);
}

async function outage(browser: Browser, signal: 'SIGTERM' | 'SIGKILL') {
  const databaseFile = path.join(path.dirname(e2eDatabaseFile!), `outage-${signal}`, 'glassdesk.db');
  mkdirSync(path.dirname(databaseFile), { recursive: true });
  const port = await freePort();
  let server = await startNextServer({ port, databaseFile });
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const chat = new ChatPage(page);
    const saving = page.getByTestId('saving-status');
    await chat.open('?device=wasm');
    await chat.waitForModel();

    // Online: two turns, each reply's Why panel open until its explanation is done.
    await chat.explain(await chat.ask(ONLINE[0]!));
    await chat.explain(await chat.ask(ONLINE[1]!));
    const conversationId = await chat.conversationId();
    if (signal === 'SIGTERM') {
      // Everything made so far is stored, so the records that wait below are exactly the ones made offline.
      await waitForRowsIn(databaseFile, 2 * METHODS.length, `SELECT e.id FROM Explanation e JOIN Prediction p ON p.id = e.predictionId JOIN Message m ON m.id = p.messageId WHERE m.conversationId = ?`, conversationId);
      await expect(saving).toHaveAttribute('data-state', 'idle');
    }
    // (SIGKILL: the server dies while the second turn's explanation may still be on its way.)

    await server.stop(signal);

    // Offline: the model runs in the browser, so the chat goes on; the records wait.
    for (const text of OFFLINE) await chat.ask(text);
    await chat.lastReply().getByTestId('feedback-up').click();
    // Every reply's panel open until its explanation is done, so that all of them are made before the server returns.
    const offlinePanel = await chat.explain(chat.messagesFrom('assistant').nth(ONLINE.length));
    const shownLime = await chat.wordScoresShown(offlinePanel, 'lime');
    for (let i = ONLINE.length + 1; i < ONLINE.length + OFFLINE.length; i++) await chat.explain(chat.messagesFrom('assistant').nth(i));
    await expect(saving).toHaveAttribute('data-state', 'waiting');
    const status = saving.getByRole('status');
    await expect(status).toHaveText(
      signal === 'SIGTERM'
        ? '6 messages, 3 explanations and 1 rating waiting to be saved (the server is unreachable): kept in this browser and sent as soon as the server answers again.'
        : // Killed at once: the second turn and its explanation may not have gone out before.
          /^(6|8) messages, (3|4) explanations and 1 rating waiting to be saved \(the server is unreachable\)/,
    );
    await expect(saving.getByTestId('saving-retry')).toBeVisible();
    expect(countRows(databaseFile, conversationId).messages).toBe(2 * ONLINE.length);

    // Back on the same port and database: the outbox finds it by itself, without a reload.
    server = await startNextServer({ port, databaseFile });
    await expect(status).toHaveText('Everything is saved.', { timeout: 30_000 });
    await expect(saving).toHaveAttribute('data-state', 'saved');

    const turns = ONLINE.length + OFFLINE.length;
    // The explanation stored for the reply whose panel was open offline is the one it showed.
    const offlinePrediction = queryDatabase<{ payload: string }>(
      databaseFile,
      `SELECT e.payload FROM Explanation e JOIN Prediction p ON p.id = e.predictionId JOIN Message m ON m.id = p.replyId
       WHERE m.conversationId = ? AND m.seq = ? AND e.method = 'lime'`,
      conversationId,
      2 * ONLINE.length + 1,
    );
    const lime = JSON.parse(offlinePrediction[0]!.payload) as Explanation;
    expect(shownLime).toEqual(lime.words.map((word, i) => [word.text, formatScore(lime.scores![i]!)]));
    expect(lime.words.map((w) => w.text).join(' ')).toBe(OFFLINE[0]);

    await expectStoredAsShown(chat, databaseFile, turns);
  } finally {
    await context.close();
    await server.stop();
  }
}

test.describe('nothing lost', () => {
  test.describe.configure({ timeout: 420_000 });

  test('the server stopped (SIGTERM) mid-conversation: every message, prediction, explanation and rating arrives exactly once', async ({ browser }) => {
    await outage(browser, 'SIGTERM');
  });

  test('the server killed (SIGKILL) mid-conversation: every record arrives exactly once', async ({ browser }) => {
    await outage(browser, 'SIGKILL');
  });

  type TurnBody = { user: { id: string } };

  test('records answered 503 for a while, or whose answer was lost after they were stored, arrive exactly once', async ({ page }) => {
    // Per endpoint: three 503 answers, then one post that reaches the server but whose answer is
    // lost (as when the server dies after storing), then the real answers.
    const plan = () => ({ refused: 3, lost: 1, posts: 0, outcomes: [] as string[] });
    const turns = plan();
    const explanations = plan();
    /** Per turn (by its user message's id, in the order first answered): what the server answered each time it got it. */
    const turnAnswers = new Map<string, string[]>();
    const recordTurnOutcomes = (posted: TurnBody | { turns: TurnBody[] }, answer: { outcome?: string; outcomes?: { outcome: string }[] }) => {
      const ids = ('turns' in posted ? posted.turns : [posted]).map((turn) => turn.user.id);
      const outcomes = answer.outcomes?.map((o) => o.outcome) ?? [answer.outcome ?? 'none'];
      ids.forEach((id, i) => turnAnswers.set(id, [...(turnAnswers.get(id) ?? []), outcomes[i] ?? 'none']));
    };
    for (const [pattern, seen] of [
      ['**/api/turns', turns],
      ['**/api/predictions/*/explanations', explanations],
    ] as const) {
      await page.route(pattern, async (route) => {
        seen.posts++;
        if (seen.refused > 0) {
          seen.refused--;
          return route.fulfill({ status: 503, json: { error: 'Service unavailable' } });
        }
        const response = await route.fetch();
        // Turns are followed one by one, from the answer: a post may carry a batch of them.
        if (seen === turns) recordTurnOutcomes(route.request().postDataJSON(), await response.json());
        else seen.outcomes.push(String(response.status()));
        if (seen.lost > 0) {
          seen.lost--;
          return route.abort('connectionreset');
        }
        return route.fulfill({ response });
      });
    }

    const chat = new ChatPage(page);
    const saving = page.getByTestId('saving-status');
    await chat.open('?device=wasm');
    await chat.waitForModel();
    await chat.explain(await chat.ask(ONLINE[0]!));
    await expect(saving.getByRole('status')).toContainText('waiting to be saved (the server answered 503)');
    await chat.ask(ONLINE[1]!);
    await chat.lastReply().getByTestId('feedback-down').click();
    await chat.explain(chat.lastReply());
    await expect(saving.getByRole('status')).toHaveText('Everything is saved.', { timeout: 60_000 });

    // Three 503s, a post stored with its answer lost, its retry answered "duplicate", then the
    // second turn alone; or fewer posts when the second turn was waiting by then and went in one
    // batch with the first. Either way each turn is stored once, and the first came back duplicate.
    expect([5, 6]).toContain(turns.posts);
    const [first, second] = [...turnAnswers.values()];
    expect(turnAnswers.size).toBe(2);
    expect(first).toEqual(['stored', 'duplicate']);
    expect([['stored'], ['stored', 'duplicate']]).toContainEqual(second);
    expect(explanations.posts).toBe(6);
    expect(explanations.outcomes).toEqual(['201', '200', '201']);
    await expectStoredAsShown(chat, e2eDatabaseFile!, ONLINE.length);
  });

  test('when the conversation cannot be restored, new messages start a new conversation instead of being refused', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    await chat.ask(ONLINE[0]!);
    const earlier = await chat.conversationId();
    await waitForRows(2, `SELECT id FROM Message WHERE conversationId = ?`, earlier);

    // The page loads, but the stored conversation cannot be read (the database is failing).
    await page.route('**/api/conversations/*', (route) => route.fulfill({ status: 503, json: { error: 'Service unavailable' } }));
    await page.reload();
    await chat.waitForModel();
    await expect(chat.input).toBeEnabled();
    await expect(chat.messages).toHaveCount(0);
    await chat.ask(ONLINE[1]!);
    const current = await chat.conversationId();
    expect(current).not.toBe(earlier);

    const stored = await waitForRows<{ seq: number; role: string; text: string }>(2, `SELECT seq, role, text FROM Message WHERE conversationId = ? ORDER BY seq`, current);
    expect(stored.map((m) => [m.seq, m.role])).toEqual([
      [0, 'user'],
      [1, 'assistant'],
    ]);
    expect(stored[0]!.text).toBe(ONLINE[1]);
    expect(queryE2eDatabase(`SELECT id FROM Message WHERE conversationId = ?`, earlier)).toHaveLength(2);
    await expect(page.getByTestId('saving-status')).toHaveAttribute('data-state', 'idle');
  });
});
