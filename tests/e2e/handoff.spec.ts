import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { e2eDatabaseFile } from '../../playwright.config';
import { freePort } from '../support/net.mjs';
import { AdminPage } from './pages/admin-page';
import { ChatPage } from './pages/chat-page';
import { queryDatabase, waitForRowsIn } from './support/database';
import { root, startNextServer } from './support/next-server.mjs';

// A hand-off reaches a person: the customer (one browser context) goes out of scope and asks for
// a person; an agent (another context) sees it in the inbox without reloading, claims it and
// replies; the customer sees the reply live and answers; the agent sees the answer and resolves
// with a label, which the training export then holds. Run against the production server, and
// again with that server restarted between the customer's message and the agent's reply.

const OUT_OF_SCOPE = 'what will the weather be like in Paris tomorrow?';
/** Markup in an agent's message is text to the customer, never HTML. */
const AGENT_REPLY = 'Hello, I am Sam from the team. Tell me more: is this about travel <b>insurance</b> & cover?';
const CUSTOMER_ANSWER = 'Yes, travel insurance for my trip';
const TOPIC = 'Travel insurance';
const TOPIC_LABEL = 'new_topic.travel_insurance';
const BUSY = (JSON.parse(readFileSync(path.join(root, 'lib/bot/answers/banking77.json'), 'utf8')) as { handoff: { busy: string } }).handoff.busy;
/** Where the README's screenshots go when asked for: `SCREENSHOT_DIR=public/screenshots`. */
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ? path.resolve(root, process.env.SCREENSHOT_DIR) : null;

/** An agent account made with the real command, in the server's database. */
function createAgent(databaseFile: string, email: string, password: string) {
  execFileSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--conditions', 'react-server', 'lib/auth/create-admin-cli.ts', '--email', email, '--role', 'agent', '--password-stdin'], {
    cwd: root,
    input: password,
    env: { ...process.env, DATABASE_URL: `file:${databaseFile}` },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
}

async function shoot(page: Page, name: string) {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

/** Both widths of one page: 1280 px, then a 390 px phone, then back. */
async function shootBoth(page: Page, name: string) {
  if (!SCREENSHOT_DIR) return;
  await shoot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  // The chat keeps its newest message in view as it arrives, not when the window changes size.
  await page.evaluate(() => {
    const log = document.querySelector('[data-testid="message-list"]');
    if (log) log.scrollTop = log.scrollHeight;
  });
  await page.waitForTimeout(200);
  await shoot(page, `${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

type Row = Record<string, string | number | null>;

async function handoffFlow(browser: Browser, { restart, screenshots }: { restart: boolean; screenshots: boolean }) {
  const databaseFile = path.join(path.dirname(e2eDatabaseFile!), `handoff-${restart ? 'restart' : 'live'}`, 'glassdesk.db');
  mkdirSync(path.dirname(databaseFile), { recursive: true });
  const port = await freePort();
  // With the restart, nobody claims for a while: the customer is told the team is busy after 1 s.
  const env = { ADMIN_EMAIL: 'handoff-admin@example.com', ADMIN_PASSWORD: 'handoff admin password, not secret', HANDOFF_BUSY_AFTER_S: restart ? '1' : '120' };
  let server = await startNextServer({ port, databaseFile, env });
  const agentAccount = { email: `sam.${restart ? 'restart' : 'live'}@bank.example`, password: 'agent password, not secret' };
  createAgent(databaseFile, agentAccount.email, agentAccount.password);

  const customerContext = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
  const agentContext = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
  const adminContext = await browser.newContext({ baseURL: server.url });
  try {
    // The agent signs in and keeps the inbox open: nothing waits yet.
    const agentPage = await agentContext.newPage();
    const admin = new AdminPage(agentPage);
    await admin.login(agentAccount.email, agentAccount.password);
    await agentPage.waitForURL(/\/admin$/);
    await agentPage.getByRole('link', { name: /^Inbox/ }).click();
    await expect(agentPage.getByTestId('inbox-total')).toHaveText('Nobody is waiting for a person.');
    const badge = agentPage.getByTestId('inbox-badge');
    await expect(badge).toHaveAttribute('data-waiting', '0');

    // The customer goes out of scope, then asks for a person.
    const customer = await customerContext.newPage();
    const chat = new ChatPage(customer);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    const outOfScope = await chat.ask(OUT_OF_SCOPE);
    await expect(outOfScope).toHaveAttribute('data-kind', 'handoff');
    await outOfScope.getByTestId('handoff-button').click();
    await expect(chat.lastReply()).toHaveAttribute('data-kind', 'handoff-requested');
    const conversationId = await chat.conversationId();

    // The inbox shows it without a reload: the row and the badge.
    const row = agentPage.locator(`[data-testid="inbox-row"][data-conversation="${conversationId}"]`);
    await expect(row).toBeVisible({ timeout: 10_000 });
    await expect(row).toHaveAttribute('data-reason', 'requested');
    await expect(row.getByTestId('inbox-text')).toHaveText(OUT_OF_SCOPE);
    await expect(badge).toHaveAttribute('data-waiting', '1');
    if (screenshots) await shootBoth(agentPage, 'inbox');

    const busy = customer.getByTestId('handoff-busy');
    if (restart) {
      await expect(busy).toHaveText(BUSY, { timeout: 10_000 });
    } else {
      await expect(busy).toHaveCount(0);
    }

    if (restart) {
      // The server goes away after the customer's message is stored and comes back on the same
      // port and database: both pages go on polling and pick up where they were.
      await waitForRowsIn(databaseFile, 1, `SELECT id FROM Handoff WHERE conversationId = ? AND status = 'waiting'`, conversationId);
      await server.stop();
      server = await startNextServer({ port, databaseFile, env });
    }

    // The agent opens it: the bot's evidence, then claims it.
    await row.getByRole('link').click();
    await expect(agentPage.getByTestId('handoff-status')).toHaveAttribute('data-status', 'waiting');
    await expect(agentPage.getByTestId('handoff-reason')).toHaveAttribute('data-reason', 'requested');
    const topIntents = agentPage.getByTestId('handoff-top-intents').getByRole('listitem');
    expect(await topIntents.count()).toBeGreaterThan(1);
    await expect(agentPage.locator('[data-testid="handoff-line"][data-trigger="true"]')).toContainText(OUT_OF_SCOPE);
    // The out-of-scope reply's stored why-panel, as the customer's browser computed it.
    await agentPage.getByTestId('handoff-why-toggle').first().click();
    await expect(agentPage.getByTestId('why-panel').first()).toBeVisible();
    await agentPage.getByTestId('handoff-claim').click();
    await expect(agentPage.getByTestId('handoff-status')).toHaveAttribute('data-status', 'assigned');

    // The customer is told a person joined, without a reload.
    await expect(customer.getByTestId('handoff-joined')).toBeVisible({ timeout: 20_000 });
    await expect(customer.getByTestId('with-agent-status')).toBeVisible();
    await expect(busy).toHaveCount(0);

    // The agent replies; the customer reads it as text, without a reload (how fast: npm run bench:handoff).
    await agentPage.getByTestId('handoff-reply-input').fill(AGENT_REPLY);
    await agentPage.getByTestId('handoff-reply-send').click();
    const agentText = customer.getByTestId('agent-text');
    await expect(agentText).toHaveText(`Sam from the team said: ${AGENT_REPLY}`, { timeout: 20_000 });
    await expect(agentText.locator('b')).toHaveCount(0);
    await expect(customer.getByTestId('agent-name')).toHaveText('Sam');

    // A reload restores the agent's message and the notice, each once.
    await customer.reload();
    await chat.waitForModel();
    await expect(customer.getByTestId('agent-text')).toHaveCount(1);
    await expect(customer.getByTestId('agent-text')).toContainText(AGENT_REPLY);
    await expect(customer.getByTestId('handoff-joined')).toHaveCount(1);
    if (screenshots) await shootBoth(customer, 'chat-agent');

    // The customer answers: the bot stays quiet (a delivery note), the agent sees it without a reload.
    const note = await chat.ask(CUSTOMER_ANSWER);
    await expect(note).toHaveAttribute('data-kind', 'with-agent');
    await expect(note).toContainText('Sent to the team.');
    await expect(customer.getByTestId('typing')).toHaveCount(0);
    const answerLine = agentPage.locator('[data-testid="handoff-line"][data-role="user"]').filter({ hasText: CUSTOMER_ANSWER });
    await expect(answerLine).toBeVisible({ timeout: 10_000 });
    if (screenshots) {
      await agentPage.getByTestId('handoff-why-toggle').first().click();
      await agentPage.evaluate(() => window.scrollTo(0, 0));
      await shootBoth(agentPage, 'inbox-conversation');
    }

    // Resolved with a label: a new topic.
    await agentPage.getByTestId('resolve-topic').fill(TOPIC);
    await agentPage.getByTestId('resolve-submit').click();
    await expect(agentPage.getByTestId('handoff-status')).toHaveAttribute('data-status', 'bot');
    await expect(agentPage.getByTestId('handoff-history-entry')).toHaveAttribute('data-resolution', 'new_topic');
    await expect(badge).toHaveAttribute('data-waiting', '0');

    // Back with the bot: the customer's next message gets the bot's answer again.
    await expect(customer.getByTestId('with-agent-status')).toHaveCount(0, { timeout: 20_000 });
    const answer = await chat.ask('how do I top up my account?');
    await expect(answer).toHaveAttribute('data-kind', 'answer');

    // The database holds every message once, in the order shown.
    const messages = await waitForRowsIn<Row>(databaseFile, 8, `SELECT id, seq, role, text FROM Message WHERE conversationId = ? ORDER BY seq`, conversationId);
    expect(messages.map((m) => [m.seq, m.role])).toEqual([
      [0, 'user'],
      [1, 'assistant'],
      [2, 'user'],
      [3, 'assistant'],
      [4, 'user'],
      [5, 'assistant'],
      [6, 'user'],
      [7, 'assistant'],
    ]);
    expect(messages.filter((m) => m.role === 'user').map((m) => m.text)).toEqual([OUT_OF_SCOPE, 'Talk to a person', CUSTOMER_ANSWER, 'how do I top up my account?']);
    expect(messages[5]!.text).toBe('Sent to the team.');
    // The answer to the agent was still classified.
    const [classified] = queryDatabase<Row>(databaseFile, `SELECT COUNT(*) AS n FROM Prediction WHERE messageId = ?`, messages[4]!.id);
    expect(classified!.n).toBe(1);
    const agentMessages = queryDatabase<Row>(databaseFile, `SELECT text FROM AgentMessage WHERE conversationId = ?`, conversationId);
    expect(agentMessages).toEqual([{ text: AGENT_REPLY }]);
    const handoffs = queryDatabase<Row>(databaseFile, `SELECT status, reason, resolution, resolutionTopic, triggerMessageId FROM Handoff WHERE conversationId = ?`, conversationId);
    expect(handoffs).toEqual([{ status: 'resolved', reason: 'requested', resolution: 'new_topic', resolutionTopic: TOPIC, triggerMessageId: messages[0]!.id }]);
    const [conversation] = queryDatabase<Row>(databaseFile, `SELECT status FROM Conversation WHERE id = ?`, conversationId);
    expect(conversation!.status).toBe('bot');

    // The label is in the training export, which is an admin's to download (an agent's is refused).
    expect((await agentPage.request.get('/api/admin/export?format=training')).status()).toBe(403);
    const adminPage = await adminContext.newPage();
    await new AdminPage(adminPage).login(env.ADMIN_EMAIL, env.ADMIN_PASSWORD);
    await adminPage.waitForURL(/\/admin$/);
    const exported = await adminPage.request.get('/api/admin/export?format=training');
    expect(exported.status()).toBe(200);
    const lines = (await exported.text()).split(/\r?\n/);
    expect(lines).toContain(`${OUT_OF_SCOPE},${TOPIC_LABEL}`);
  } finally {
    await customerContext.close();
    await agentContext.close();
    await adminContext.close();
    await server.stop();
  }
}

test.describe('hand-off to a person', () => {
  test.describe.configure({ timeout: 300_000 });

  test('customer and agent in two browsers: inbox, claim, live reply, answer, resolve with a label, training export', async ({ browser }) => {
    await handoffFlow(browser, { restart: false, screenshots: true });
  });

  test('the same with the server restarted between the customer’s message and the agent’s reply', async ({ browser }) => {
    await handoffFlow(browser, { restart: true, screenshots: false });
  });
});
