import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { Explanation } from '@/lib/explain/types';
import { formatScore } from '@/lib/ui/explain/format';
import { e2eDatabaseFile } from '../../playwright.config';
import { freePort } from '../support/net.mjs';
import { ZH_BOT, zhFixtureModelState } from '../support/zh-fixture-model.mjs';
import { ChatPage } from './pages/chat-page';
import { waitForRowsIn } from './support/database';
import { root, startNextServer } from './support/next-server.mjs';

// The Chinese bank bot (answers lib/bot/answers/bank-zh.json, model trained from
// tests/fixtures/zh by tests/support/zh-fixture-model.mjs before the build) served by the
// production build with DEFAULT_BOT=bank-zh: an unspaced Chinese message is answered, its
// "Why this answer?" panel shows several word units, and what is stored is what was shown.

const MESSAGE = '我的卡丢了怎么办';
/** Where the panel's screenshots go when asked for (`SCREENSHOT_DIR=public/screenshots`; CJK fonts: fonts-noto-cjk). */
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ? path.resolve(root, process.env.SCREENSHOT_DIR) : null;
const content = JSON.parse(readFileSync(path.join(root, `lib/bot/answers/${ZH_BOT}.json`), 'utf8')) as {
  intents: Record<string, { label: string; answer: string }>;
};

type Server = Awaited<ReturnType<typeof startNextServer>>;

test.describe('a Chinese bot', () => {
  test.describe.configure({ timeout: 180_000 });
  let server: Server;
  let databaseFile: string;

  test.beforeAll(async () => {
    const model = zhFixtureModelState();
    if (!model.current) {
      throw new Error(`The Chinese fixture model is not ready (${model.reason}): node tests/support/zh-fixture-model.mjs trains it (npm test and this suite's server start do; see their output for why it failed).`);
    }
    databaseFile = path.join(path.dirname(e2eDatabaseFile!), 'chinese', 'glassdesk.db');
    mkdirSync(path.dirname(databaseFile), { recursive: true });
    server = await startNextServer({ port: await freePort(), databaseFile, env: { DEFAULT_BOT: ZH_BOT } });
  });

  test.afterAll(async () => {
    await server?.stop();
  });

  test('answers an unspaced Chinese message and explains it word by word, as stored', async ({ browser }) => {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const chat = new ChatPage(page);
      await chat.open('?device=wasm');
      await chat.waitForModel();

      const reply = await chat.ask(MESSAGE);
      await expect(reply).toHaveAttribute('data-intent', 'lost_card');
      await expect(reply).toContainText(content.intents.lost_card!.answer);

      const panel = await chat.explain(reply);
      await expect(panel.getByTestId('why-summary')).toContainText(content.intents.lost_card!.label);

      // What the panel showed: LIME's words and scores in the technical details, in the panel's order.
      const shown = await chat.wordScoresShown(panel, 'lime');
      const shownOcclusion = await chat.wordScoresShown(panel, 'occlusion');

      // What was stored for this conversation's prediction.
      const conversationId = await page.evaluate((bot) => window.localStorage.getItem(`glassdesk:conversation:${bot}`) ?? '', ZH_BOT);
      expect(conversationId).not.toBe('');
      const predictions = await waitForRowsIn<{ id: string; intent: string; botId: string; text: string }>(
        databaseFile,
        1,
        `SELECT p.id, p.intent, c.botId, m.text FROM Prediction p JOIN Message m ON m.id = p.messageId JOIN Conversation c ON c.id = m.conversationId WHERE c.id = ?`,
        conversationId,
      );
      expect(predictions.map(({ intent, botId, text }) => ({ intent, botId, text }))).toEqual([{ intent: 'lost_card', botId: ZH_BOT, text: MESSAGE }]);
      const rows = await waitForRowsIn<{ method: string; payload: string }>(
        databaseFile,
        6,
        'SELECT method, payload FROM Explanation WHERE predictionId = ?',
        predictions[0]!.id,
      );
      const stored = Object.fromEntries(rows.map((row) => [row.method, JSON.parse(row.payload) as Explanation]));
      const lime = stored.lime!;
      const occlusion = stored.occlusion!;
      expect(lime.target.label).toBe('lost_card');

      // The stored words are pieces of the message at their offsets, in order, and cover all of it.
      for (const word of lime.words) expect(MESSAGE.slice(word.start, word.end)).toBe(word.text);
      expect(lime.words.map((word) => word.text).join('')).toBe(MESSAGE);

      // Same words, same scores, same order as the panel showed, for both word-removal methods.
      expect(shown).toEqual(lime.words.map((word, i) => [word.text, formatScore(lime.scores![i]!)]));
      expect(shownOcclusion).toEqual(occlusion.words.map((word, i) => [word.text, formatScore(occlusion.scores![i]!)]));

      // The server ran the bank-zh model from its own folder on the stored text and agrees.
      const [verified] = await waitForRowsIn<{ modelId: string; verifiedIntent: string }>(
        databaseFile,
        1,
        "SELECT modelId, verifiedIntent FROM Prediction WHERE id = ? AND verification = 'verified'",
        predictions[0]!.id,
      );
      expect(verified).toEqual({ modelId: ZH_BOT, verifiedIntent: 'lost_card' });

      // Several word units, not the whole sentence as one block (word units from Intl.Segmenter).
      expect(shown.length).toBeGreaterThanOrEqual(3);

      if (SCREENSHOT_DIR) {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        await panel.scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'chat-zh.png') });
        await page.setViewportSize({ width: 390, height: 844 });
        await panel.scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'chat-zh-phone.png') });
      }
    } finally {
      await context.close();
    }
  });
});
