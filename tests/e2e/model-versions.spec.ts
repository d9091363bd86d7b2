import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, request as playwrightRequest, test, type Browser, type Page } from '@playwright/test';
import { e2eDatabaseFile } from '../../playwright.config';
import { AdminPage } from './pages/admin-page';
import { CandidatesPage } from './pages/candidates-page';
import { ChatPage } from './pages/chat-page';
import { createAdminAccount, signInThroughApi, type AdminAccount } from './support/admin-session';
import { queryE2eDatabase, waitForRows, writeE2eDatabase } from './support/database';
import { shippedVersion } from './support/model-version';
import { root } from './support/next-server.mjs';

// Change control for the model against the production build: candidate B (a banking77 model
// trained by the pipeline's test configuration, tests/support/candidate-models.mjs, which the
// webServer command trains first) is registered and replayed against the served version by
// `npm run replay` on the server's own database and model store, after customers' chats were
// stored; an admin promotes it from the Candidates page, a new chat and a chat already open are
// answered by it, and a roll back brings the shipped version back, both in the change log.

/** Where the README's screenshots go when asked for: `SCREENSHOT_DIR=public/screenshots`. */
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ? path.resolve(root, process.env.SCREENSHOT_DIR) : null;
const CANDIDATE_B = '.cache/candidate-models/b';
const ADMIN: AdminAccount = { email: 'versions-admin@example.com', password: 'versions admin password, not secret' };
const AGENT: AdminAccount = { email: 'versions-agent@example.com', password: 'versions agent password, not secret' };
const VERSION = /^[0-9a-f]{64}$/;
/** The newest messages the replay reads: this spec's own and some of the specs' before it, in bounded time. */
const REPLAY_LIMIT = 40;

/** Questions B answers with intents the shipped model knows as well, and one they answer differently ("change my PIN" is no intent of B's). */
const BEFORE = ['how do I change my PIN', 'my new card still has not arrived'];
const AFTER = 'my new card still has not arrived';
const OPEN_BEFORE = 'my top up failed';

/** Candidate B once `npm run replay` registered it (the only version registered by hand). */
function registeredCandidate(): string {
  const [row] = queryE2eDatabase<{ hash: string }>(`SELECT "hash" FROM "ModelVersion" WHERE "botId" = 'banking77' AND "source" = 'registered'`);
  return row?.hash ?? '';
}

async function shoot(page: Page, name: string) {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Every request a page makes for model files and for the bot's version, in order. */
function modelRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith('/models/') || pathname.startsWith('/api/bots/')) seen.push(pathname);
  });
  return seen;
}

/** The model version the stored prediction on `text` in `conversationId` names, once it is stored. */
async function storedVersion(conversationId: string, text: string): Promise<string | undefined> {
  const [row] = await waitForRows<{ modelVersion: string }>(
    1,
    `SELECT p.modelVersion FROM Prediction p JOIN Message m ON m.id = p.messageId WHERE m.conversationId = ? AND m.text = ? ORDER BY m.seq DESC`,
    conversationId,
    text,
  );
  return row?.modelVersion;
}

/** A visitor in a browser context of their own (an empty cache) asks one question; returns where the model came from and what was stored. */
async function newVisitorAsks(browser: Browser, text: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = modelRequests(page);
  const chat = new ChatPage(page);
  await chat.open('?device=wasm');
  await chat.waitForModel();
  await chat.ask(text);
  const version = await storedVersion(await chat.conversationId(), text);
  await context.close();
  return { requests, version };
}

function replayCandidate(dir: string): string {
  return execFileSync('npm', ['run', '--silent', 'replay', '--', '--bot', 'banking77', '--model', dir, '--days', '30', '--limit', String(REPLAY_LIMIT)], {
    cwd: root,
    // The server's database and model store (the default ./data/models).
    env: { ...process.env, DATABASE_URL: `file:${e2eDatabaseFile}`, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 240_000,
  }).toString();
}

async function signIn(page: Page, account: AdminAccount) {
  await new AdminPage(page).loginAndWait(account.email, account.password);
  const candidates = new CandidatesPage(page);
  await candidates.openFromNavigation();
  return candidates;
}

test.describe('model versions', () => {
  test.describe.configure({ timeout: 360_000 });

  test.beforeAll(async () => {
    await createAdminAccount(ADMIN.email, ADMIN.password);
    await createAdminAccount(AGENT.email, AGENT.password);
    writeE2eDatabase('UPDATE "AdminUser" SET "role" = ? WHERE "email" = ?', 'agent', AGENT.email);
  });

  // Whatever happened, the specs after this one find the shipped version served.
  test.afterAll(async ({ baseURL }) => {
    const bundled = shippedVersion();
    const api = await playwrightRequest.newContext({ baseURL });
    const served = (await (await api.get('/api/bots/banking77/model')).json()) as { version: string };
    if (served.version !== bundled) {
      const session = await signInThroughApi(playwrightRequest, baseURL!, ADMIN);
      await api.post('/api/admin/models/banking77/promote', { headers: session.headers(), data: { version: bundled, reason: 'restored after the model versions spec' } });
    }
    await api.dispose();
  });

  test('the served version: named without caching, its files cached for good, nothing outside it', async ({ request }) => {
    const answer = await request.get('/api/bots/banking77/model');
    expect(answer.status()).toBe(200);
    expect(answer.headers()['cache-control']).toBe('no-store');
    const served = (await answer.json()) as { botId: string; version: string; url: string };
    expect(served.version).toMatch(VERSION);
    expect(served).toEqual({ botId: 'banking77', version: served.version, url: `/models/banking77/${served.version}/` });
    expect(served.version).toBe(shippedVersion());

    const file = await request.get(`${served.url}model-card.json`);
    expect(file.status()).toBe(200);
    expect(file.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(file.headers()['cross-origin-resource-policy']).toBe('same-origin');
    expect(file.headers()['content-type']).toBe('application/json');
    expect((await file.json()).labels).toContain('card_arrival');

    for (const missing of [`${served.url}audit.json`, `${served.url}..%2F..%2Fpackage.json`, `/models/banking77/${'0'.repeat(64)}/model-card.json`, `${served.url}nothing.json`]) {
      const response = await request.get(missing);
      expect(response.status(), missing).toBe(404);
      expect(response.headers()['cache-control'], missing).toBe('no-store');
    }
    expect((await request.get('/api/bots/no-such-bot/model')).status()).toBe(404);
    // The unversioned folder is still a static one, cached for an hour.
    const unversioned = await request.get('/models/banking77/model-card.json');
    expect(unversioned.status()).toBe(200);
    expect(unversioned.headers()['cache-control']).toContain('max-age=3600');
  });

  test('a replayed candidate is promoted with a reason: new and open chats are answered by it; a roll back brings the shipped version back; the log keeps both', async ({ browser, baseURL, request }) => {
    const bundled = shippedVersion();
    expect(bundled, 'the shipped version is stored').toMatch(VERSION);
    expect(((await (await request.get('/api/bots/banking77/model')).json()) as { version: string }).version, 'the shipped version is served').toBe(bundled);

    // Customers chat with the shipped version, loaded from its own URL, and their predictions name it.
    const openContext = await browser.newContext();
    const openPage = await openContext.newPage();
    const openRequests = modelRequests(openPage);
    const openChat = new ChatPage(openPage);
    await openChat.open('?device=wasm');
    await openChat.waitForModel();
    for (const text of BEFORE) await openChat.ask(text);
    const openConversation = await openChat.conversationId();
    for (const text of BEFORE) expect(await storedVersion(openConversation, text)).toBe(bundled);
    expect(openRequests).toContain(`/models/banking77/${bundled}/onnx/model.onnx`);
    expect(openRequests.filter((url) => url === '/api/bots/banking77/model')).toHaveLength(BEFORE.length);
    expect(openRequests.some((url) => /^\/models\/banking77\/(?![0-9a-f]{64}\/)/.test(url))).toBe(false);

    // The candidate is registered and replayed through the stored messages, as an operator does.
    const printed = replayCandidate(CANDIDATE_B);
    const candidate = registeredCandidate();
    expect(candidate).toMatch(VERSION);
    expect(printed).toContain(candidate.slice(0, 12));
    const [stored] = queryE2eDatabase<{ messages: number; agreement: number; report: string }>(`SELECT "messages", "agreement", "report" FROM "ModelReplay" WHERE "candidateHash" = ?`, candidate);
    expect(stored!.messages).toBeGreaterThanOrEqual(BEFORE.length);
    expect(stored!.agreement).toBeLessThan(1);

    // An admin finds it on the Candidates page with its replay's figures.
    const adminContext = await browser.newContext();
    const adminPage = await adminContext.newPage();
    const candidates = await signIn(adminPage, ADMIN);
    expect(await candidates.activeVersion()).toBe(bundled);
    await expect(candidates.active).toContainText('by glassdesk: “the version this build ships”');
    const card = candidates.candidate(candidate);
    await expect(card.getByTestId('candidate-hash')).toHaveText(candidate.slice(0, 12));
    await expect(candidates.figure(card, 'candidate-agreement')).toHaveText(`${(stored!.agreement * 100).toFixed(1).replace(/\.0$/, '')} %`);
    await expect(card.getByTestId('candidate-replay-summary')).toContainText(`${stored!.messages} customer messages of the last 30 days (at most ${REPLAY_LIMIT})`);
    await expect(card.getByTestId('candidate-flip-pair').first()).toBeVisible();
    // "Change my PIN" is no intent of B's: its answer flips, and opens both versions' why-panels side by side.
    const flip = card.getByTestId('candidate-flip').filter({ hasText: 'how do I change my PIN' });
    await expect(flip.getByTestId('candidate-flip-customers')).toHaveText(/^\d+ customers?/);
    await flip.locator('summary').click();
    await expect(flip.getByTestId('candidate-flip-active').getByTestId('why-panel')).toBeVisible();
    await expect(flip.getByTestId('candidate-flip-candidate').getByTestId('why-panel')).toBeVisible();
    await expect(flip.getByTestId('candidate-flip-active')).toContainText('Change my PIN');
    await shoot(adminPage, 'candidates-1280');

    // A reason is required: refused in the form, and by the API.
    await card.getByTestId('version-promote-open').click();
    await card.getByTestId('version-promote-confirm').click();
    await expect(card.getByTestId('version-error')).toHaveText('Write why: the change log keeps the reason with your name.');
    await expect(card.getByTestId('version-reason')).toBeFocused();
    const api = await signInThroughApi(playwrightRequest, baseURL!, ADMIN);
    const refusalContext = await playwrightRequest.newContext({ baseURL });
    const refused = await refusalContext.post('/api/admin/models/banking77/promote', { headers: api.headers(), data: { version: candidate, reason: '  ' } });
    expect(refused.status()).toBe(400);
    expect((await refused.json()).error.message).toBe('A reason is required.');
    await refusalContext.dispose();
    await card.getByTestId('version-promote-open').click();

    // Promoted: the page shows the new state and says what happened.
    await candidates.changeAndWait(card, 'promote', 'B knows card payment fees; replay agreement checked');
    await expect(candidates.notice).toContainText(`Promoted ${candidate.slice(0, 12)}`);
    expect(await candidates.activeVersion()).toBe(candidate);
    await expect(candidates.active).toContainText(`by ${ADMIN.email}: “B knows card payment fees; replay agreement checked”`);
    await expect(candidates.candidate(bundled)).toBeVisible();

    // A new visitor is answered by B, loaded from B's own URL, and the prediction names B.
    const fresh = await newVisitorAsks(browser, AFTER);
    expect(fresh.version).toBe(candidate);
    expect(fresh.requests).toContain(`/models/banking77/${candidate}/onnx/model.onnx`);
    expect(fresh.requests.some((url) => url.startsWith(`/models/banking77/${bundled}/`))).toBe(false);

    // The chat open since before the promotion moves to B on its next message.
    const before = openRequests.length;
    await openChat.ask(OPEN_BEFORE);
    expect(await storedVersion(openConversation, OPEN_BEFORE)).toBe(candidate);
    const since = openRequests.slice(before);
    expect(since[0]).toBe('/api/bots/banking77/model');
    expect(since).toContain(`/models/banking77/${candidate}/onnx/model.onnx`);
    await expect(openChat.modelStatus).toHaveAttribute('data-state', 'ready');

    // Rolled back with a reason, one click from the page: the shipped version answers again.
    await expect(adminPage.getByTestId('previous-version')).toContainText(bundled.slice(0, 12));
    await candidates.changeAndWait(adminPage.getByTestId('candidates-active'), 'rollback', 'customers asked about PINs are handed off');
    await expect(candidates.notice).toContainText(`Rolled back to ${bundled.slice(0, 12)}`);
    expect(await candidates.activeVersion()).toBe(bundled);
    const back = await newVisitorAsks(browser, AFTER);
    expect(back.version).toBe(bundled);

    // The change log: who did what, and why, newest first.
    const log = await candidates.changeLog();
    expect(log.slice(0, 2)).toEqual([
      { action: 'rollback', actor: ADMIN.email, reason: 'customers asked about PINs are handed off' },
      { action: 'promote', actor: ADMIN.email, reason: 'B knows card payment fees; replay agreement checked' },
    ]);
    expect(log).toContainEqual({ action: 'register', actor: 'npm run replay', reason: expect.stringContaining('stored from') });
    expect(log.slice(-2)).toEqual([
      { action: 'activate', actor: 'glassdesk', reason: 'the version this build ships' },
      { action: 'register', actor: 'glassdesk', reason: 'stored from public/models/banking77' },
    ]);
    await openContext.close();
    await adminContext.close();
  });

  test('an agent reads the page but changes nothing, and the API refuses an agent', async ({ browser, baseURL }) => {
    const candidate = registeredCandidate();
    expect(candidate, 'the candidate was registered').toMatch(VERSION);
    const context = await browser.newContext();
    const page = await context.newPage();
    const candidates = await signIn(page, AGENT);
    await expect(candidates.candidate(candidate)).toBeVisible();
    await expect(page.getByText('Only admins promote, roll back or retire a version.')).toBeVisible();
    await expect(page.getByTestId('version-promote-open')).toHaveCount(0);
    await expect(page.getByTestId('version-rollback-open')).toHaveCount(0);
    await expect(page.getByTestId('version-retire-open')).toHaveCount(0);
    await context.close();

    const session = await signInThroughApi(playwrightRequest, baseURL!, AGENT);
    const api = await playwrightRequest.newContext({ baseURL });
    for (const [action, data] of [
      ['promote', { version: candidate, reason: 'an agent tries' }],
      ['rollback', { reason: 'an agent tries' }],
      ['retire', { version: candidate, reason: 'an agent tries' }],
    ] as const) {
      const response = await api.post(`/api/admin/models/banking77/${action}`, { headers: session.headers(), data });
      expect(response.status(), action).toBe(403);
      expect((await response.json()).error.code).toBe('forbidden');
    }
    // Signed out, or without the CSRF token: refused before anything else.
    expect((await api.post('/api/admin/models/banking77/promote', { headers: { origin: new URL(baseURL!).origin }, data: { version: candidate, reason: 'x' } })).status()).toBe(401);
    await api.dispose();
    expect(queryE2eDatabase(`SELECT 1 FROM "ModelChange" WHERE "reason" = 'an agent tries'`)).toEqual([]);
  });

  test('on a phone the page fits the screen and a flipped message’s panels stack', async ({ browser }) => {
    const candidate = registeredCandidate();
    expect(candidate, 'the candidate was registered').toMatch(VERSION);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const candidates = await signIn(page, ADMIN);
    const card = candidates.candidate(candidate);
    const flip = card.getByTestId('candidate-flip').first();
    await flip.locator('summary').click();
    const [active, next] = [flip.getByTestId('candidate-flip-active'), flip.getByTestId('candidate-flip-candidate')];
    await expect(next.getByTestId('why-panel')).toBeVisible();
    const [a, b] = [await active.boundingBox(), await next.boundingBox()];
    expect(b!.y).toBeGreaterThanOrEqual(a!.y + a!.height - 1);
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.window);
    await shoot(page, 'candidates-390');
    await context.close();
  });
});
