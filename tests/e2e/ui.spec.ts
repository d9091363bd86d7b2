import { expect, test, type Page } from '@playwright/test';
import { AdminPage } from './pages/admin-page';
import { ChatPage } from './pages/chat-page';
import { queryE2eDatabase, waitForRows, writeE2eDatabase } from './support/database';

/** Console errors and uncaught exceptions of a page. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** A conversation's predictions in order, once each has its six stored explanations. */
async function explainedPredictions(conversationId: string, count: number) {
  return waitForRows<{ id: string; text: string }>(
    count,
    `SELECT p.id, m.text FROM Prediction p JOIN Message m ON m.id = p.messageId
     WHERE m.conversationId = ? AND (SELECT COUNT(*) FROM Explanation e WHERE e.predictionId = p.id) >= 6 ORDER BY m.seq`,
    conversationId,
  );
}

test.describe('the chat for a customer', () => {
  test.describe.configure({ timeout: 120_000 });

  test('loads with no console error, and serves its icon', async ({ page, request }) => {
    const errors = collectErrors(page);
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    await chat.ask('how do I change my PIN');
    await page.goto('/admin/login');
    await expect(page.getByTestId('admin-login')).toBeVisible();
    expect(errors).toEqual([]);
    for (const path of ['/favicon.ico', '/icon.svg']) {
      const icon = await request.get(path);
      expect(icon.status(), path).toBe(200);
      expect(icon.headers()['content-type'], path).toMatch(/^image\//);
    }
  });

  test('tells the customer their messages stay private, not which runtime answers', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    await expect(chat.modelStatus).toHaveText('Private: your messages are analysed on this device.');
    await expect(chat.shell).not.toContainText('WebAssembly');
    await expect(page.getByTestId('backend')).toBeHidden();
  });

  test('a message sent with Enter while the model loads waits, says so, and is answered once it is ready', async ({ page }) => {
    let release!: () => void;
    const loaded = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/models/**', async (route) => {
      await loaded;
      await route.continue();
    });
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await expect(chat.modelStatus).toHaveAttribute('data-state', 'loading');
    await chat.input.fill('my new card still has not arrived');
    await chat.input.press('Enter');
    await expect(chat.input).toHaveValue('');
    await expect(page.getByTestId('waiting-status')).toContainText('One moment, loading');
    await expect(page.getByTestId('message-waiting')).toContainText('my new card still has not arrived');
    await expect(chat.messagesFrom('assistant')).toHaveCount(0);
    release();
    await chat.waitForModel();
    await expect(chat.messagesFrom('assistant')).toHaveCount(1, { timeout: 30_000 });
    await expect(chat.lastReply()).toHaveAttribute('data-intent', 'card_arrival');
    await expect(chat.messagesFrom('user')).toHaveText(['You said: my new card still has not arrived']);
    await expect(page.getByTestId('waiting-status')).toHaveCount(0);
  });

  test('starter questions ask with one tap, and quick replies on earlier answers stay usable', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    const starters = page.getByTestId('starters').getByRole('button');
    expect(await starters.count()).toBeGreaterThanOrEqual(3);
    const question = (await starters.first().textContent())!;
    await starters.first().click();
    await expect(chat.messagesFrom('user')).toHaveText([`You said: ${question}`]);
    await expect(chat.messagesFrom('assistant')).toHaveCount(1, { timeout: 30_000 });
    await expect(page.getByTestId('starters')).toHaveCount(0);

    const first = await chat.ask('my new card still has not arrived');
    await chat.ask('how do I change my PIN');
    const quick = first.getByTestId('quick-replies').getByRole('button').first();
    await expect(quick).toBeEnabled();
    const text = (await quick.textContent())!;
    await quick.click();
    await expect(chat.messagesFrom('assistant')).toHaveCount(4, { timeout: 30_000 });
    await expect(chat.messagesFrom('user').last()).toContainText(text);
  });
});

test.describe('labels, odd records and bidirectional text', () => {
  test.describe.configure({ timeout: 240_000 });

  test('the out-of-scope class has display names, odd stored explanations cannot break the admin, and RTL overrides are inert', async ({ page, browser }) => {
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    const outOfScope = await chat.ask('what will the weather be like in Paris tomorrow?');
    await expect(outOfScope).toHaveAttribute('data-intent', 'oos');
    const panel = await chat.explain(outOfScope);
    await expect(panel.getByTestId('why-summary')).toContainText("Something I can't help with");
    for (const testId of ['why-tab-words', 'why-tab-alternatives', 'why-tab-similar']) {
      await panel.getByTestId(testId).click();
      await expect(panel).not.toContainText(/\bOos\b|\boos\b/);
    }
    // The customer's default view holds no jargon.
    await expect(panel).not.toContainText(/\[CLS\]|LIME|layer|deletion AUC|k\s=\s1|Computed in your browser/);

    const override = 'my card \u202Eevila\u202C arrived';
    await chat.ask(override);
    const bubble = chat.messagesFrom('user').last().locator('bdi');
    expect(await bubble.evaluate((element) => getComputedStyle(element).unicodeBidi)).toBe('isolate');
    for (const question of ['how do I change my PIN', 'I want to close my account', 'how do I top up using my debit card']) await chat.ask(question);
    // A newer message cancels the explanations of replies nobody looks at: their panels explain them.
    for (const reply of await chat.messagesFrom('assistant').all()) await chat.explain(reply);

    const conversationId = await chat.conversationId();
    const predictions = await explainedPredictions(conversationId, 5);
    expect(predictions).toHaveLength(5);
    const [weather, rtl, pin, close, topUp] = predictions.map((prediction) => prediction.id) as [string, string, string, string, string];
    const payload = (id: string, method: string) =>
      JSON.parse(queryE2eDatabase<{ payload: string }>('SELECT payload FROM Explanation WHERE predictionId = ? AND method = ?', id, method)[0]!.payload) as Record<string, unknown> & {
        extra: Record<string, unknown>;
        scores: number[];
      };
    const store = (id: string, method: string, value: unknown) =>
      expect(writeE2eDatabase('UPDATE Explanation SET payload = ? WHERE predictionId = ? AND method = ?', JSON.stringify(value), id, method)).toBe(1);

    // Odd records, written straight into the database as nothing in the API would accept them.
    const pinAttention = payload(pin, 'attention');
    store(pin, 'attention', { ...pinAttention, extra: { ...pinAttention.extra, layers: 1, heads: 0, matrices: [[]], wordCls: [], tokenWords: [] } });
    const pinLime = payload(pin, 'lime');
    store(pin, 'lime', { ...pinLime, scores: [null, ...pinLime.scores.slice(1)] });
    store(pin, 'similar', { ...payload(pin, 'similar'), extra: null });
    const closeAttention = payload(close, 'attention');
    store(close, 'attention', { ...closeAttention, extra: { ...closeAttention.extra, heads: 20000 } });
    store(close, 'counterfactual', 'just a string');
    store(close, 'rollout', {});
    store(close, 'occlusion', { ...payload(close, 'occlusion'), words: 42, timing: null });
    const topUpAttention = payload(topUp, 'attention');
    // As many heads as an attention record may hold (lib/explain/common.ts MAX_ATTENTION_HEADS), more than the panel draws.
    const wide = (layers: unknown[]) => layers.map((heads) => Array.from({ length: 64 }, (_, h) => (heads as unknown[])[h % (heads as unknown[]).length]));
    store(topUp, 'attention', {
      ...topUpAttention,
      extra: { ...topUpAttention.extra, heads: 64, matrices: wide(topUpAttention.extra.matrices as unknown[]), wordCls: wide(topUpAttention.extra.wordCls as unknown[]) },
    });

    const context = await browser.newContext();
    const adminPage = await context.newPage();
    const errors = collectErrors(adminPage);
    const admin = new AdminPage(adminPage);
    await admin.loginAndWait();
    const open = async (id: string) => {
      const response = await adminPage.goto(`/admin/predictions/${id}`);
      expect(response?.status()).toBe(200);
      await expect(adminPage.getByTestId('detail-message')).toBeVisible();
      return adminPage.evaluate(() => document.getElementsByTagName('*').length);
    };

    expect(await open(weather)).toBeLessThan(10_000);
    const stored = adminPage.locator('#admin-why');
    await expect(stored.getByTestId('why-summary')).toContainText('Out of scope');
    await expect(adminPage.locator('main')).not.toContainText(/\bOos\b/);
    const relabel = adminPage.getByTestId('review-intent');
    await expect(relabel).toHaveValue('');
    // The runners-up come first, the predicted intent is not offered.
    const options = await relabel.locator('option').evaluateAll((all) => all.map((option) => (option as HTMLOptionElement).value));
    expect(options[0]).toBe('');
    expect(options).not.toContain('oos');

    expect(await open(pin)).toBeLessThan(10_000);
    await expect(stored.getByTestId('why-attention-unreadable')).toHaveCount(1);
    await expect(stored.getByTestId('why-unreadable')).toContainText('Cannot display this explanation (lime)');

    expect(await open(close)).toBeLessThan(10_000);
    await expect(stored.getByTestId('why-unreadable')).toContainText('Cannot display this explanation (occlusion)');
    await expect(stored.getByTestId('why-unreadable')).toContainText('Cannot display this explanation (unknown)');
    await expect(stored.getByTestId('why-attention-unreadable')).toHaveCount(1);

    expect(await open(topUp)).toBeLessThan(10_000);
    await stored.getByTestId('why-tab-attention').click();
    await expect(stored.getByTestId('why-attention-cut')).toContainText('Showing 16 of 64 heads per layer.');

    // The override shows as an escape in the admin, and acts nowhere.
    await open(rtl);
    const message = adminPage.getByTestId('detail-message');
    await expect(message).toContainText('my card ⟨U+202E⟩evila⟨U+202C⟩ arrived');
    expect(await message.textContent()).not.toContain('\u202E');
    await adminPage.goto(`/admin?q=${encodeURIComponent('evila')}`);
    const row = adminPage.getByTestId('admin-log-message').first();
    await expect(row).toContainText('⟨U+202E⟩');
    expect(await row.locator('bdi').evaluate((element) => getComputedStyle(element).unicodeBidi)).toBe('isolate');
    expect(errors).toEqual([]);
    await context.close();
  });
});
