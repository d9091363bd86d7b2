import { expect, test } from '@playwright/test';
import { AdminPage } from './pages/admin-page';
import { ChatPage } from './pages/chat-page';
import { createAdminAccount } from './support/admin-session';
import { queryE2eDatabase, waitForRows } from './support/database';

// The English demo bot gets a message in Chinese ("I've lost my card, what do I do?"): it says
// honestly that it reads only English and offers a person instead of calling the question out
// of scope; the customer accepts, the hand-off reaches the inbox as "unreadable", and the admin
// log shows the prediction as a decision of its own, found by its filter and verified by the
// server's own reading of the message.

const CHINESE = '我的卡丢了怎么办';
const HONEST = 'I can only read English for now — shall I pass you to a person?';
const OUT_OF_SCOPE_REPLY = 'That’s outside what I can help with here';

test('a message the demo bot cannot read gets an honest reply, a person, and its own decision in the admin', async ({ browser }) => {
  // Two browser contexts, a model load, an argon2 password hash and the server's verification on two shared cores.
  test.setTimeout(300_000);
  const customerContext = await browser.newContext();
  const adminContext = await browser.newContext();
  try {
    const customer = await customerContext.newPage();
    const chat = new ChatPage(customer);
    await chat.open('?device=wasm');
    await chat.waitForModel(120_000);
    const reply = await chat.ask(CHINESE);
    await expect(reply).toHaveAttribute('data-kind', 'handoff');
    await expect(reply).toHaveAttribute('data-reason', 'unreadable');
    await expect(reply).toContainText(HONEST);
    await expect(reply).not.toContainText(OUT_OF_SCOPE_REPLY.replace('’', "'"));

    // "Why this answer?" says plainly why, with no word evidence from a model that cannot read the words.
    await reply.getByTestId('why-toggle').click();
    await expect(reply.getByTestId('why-unreadable-message')).toContainText('trained on English texts only');
    await expect(reply.getByTestId('why-panel')).toHaveCount(0);

    // The customer accepts the offer.
    await reply.getByTestId('handoff-button').click();
    await expect(chat.lastReply()).toHaveAttribute('data-kind', 'handoff-requested');
    const conversationId = await chat.conversationId();
    const [prediction] = await waitForRows<{ id: string; decision: string }>(
      1,
      `SELECT p.id, p.decision FROM Prediction p JOIN Message m ON m.id = p.messageId WHERE m.conversationId = ?`,
      conversationId,
    );
    expect(prediction!.decision).toBe('unreadable');
    // No explanation was computed or stored for it.
    expect(queryE2eDatabase('SELECT id FROM Explanation WHERE predictionId = ?', prediction!.id)).toHaveLength(0);

    // An operator finds it in the inbox with its reason, and in the log under its own decision.
    const page = await adminContext.newPage();
    const admin = new AdminPage(page);
    const account = await createAdminAccount('unreadable-admin@example.com');
    await admin.login(account.email, account.password);
    // Checking an argon2id hash takes seconds on a busy machine.
    await expect(admin.table).toBeVisible({ timeout: 30_000 });

    await page.goto('/admin/inbox');
    const row = page.locator(`[data-testid="inbox-row"][data-conversation="${conversationId}"]`);
    await expect(row).toBeVisible({ timeout: 10_000 });
    await expect(row).toHaveAttribute('data-reason', 'unreadable');
    await expect(row.getByTestId('inbox-text')).toHaveText(CHINESE);
    await row.getByRole('link').click();
    await expect(page.getByTestId('handoff-reason')).toHaveAttribute('data-reason', 'unreadable');
    await expect(page.getByTestId('handoff-unreadable')).toContainText('a language the bot does not read');

    // The server read the message again with the bot's card and reached the same decision.
    await expect.poll(() => queryE2eDatabase<{ verification: string }>('SELECT verification FROM Prediction WHERE id = ?', prediction!.id)[0]?.verification, { timeout: 20_000 }).toBe('verified');

    await page.goto('/admin');
    await admin.filter({ decision: 'unreadable' });
    const logRow = page.locator(`[data-testid="admin-log-row"][data-prediction-id="${prediction!.id}"]`);
    await expect(logRow).toBeVisible();
    await expect(logRow.getByTestId('admin-log-decision')).toHaveText('Could not read (language)');
    const decisions = await page.getByTestId('admin-log-decision').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-decision')));
    expect(decisions.every((decision) => decision === 'unreadable')).toBe(true);
    await admin.filter({ decision: 'handoff' });
    await expect(page.locator(`[data-testid="admin-log-row"][data-prediction-id="${prediction!.id}"]`)).toHaveCount(0);

    await admin.openDetail(prediction!.id);
    await expect(page.getByTestId('why-unreadable-message')).toContainText('trained on English texts only');
  } finally {
    await customerContext.close();
    await adminContext.close();
  }
});
