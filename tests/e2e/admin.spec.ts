import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { AdminPage, E2E_ADMIN } from './pages/admin-page';
import { queryE2eDatabase, waitForRows } from './support/database';
import { shippedVersion } from './support/model-version';

// A handful of stored turns, posted through the chat's own API, so the admin has a log to work on.
const RUN = randomUUID().slice(0, 8);
const SEEDS = [
  { text: `my card has not arrived yet ${RUN}`, intent: 'card_arrival', confidence: 0.93, decision: 'answer', helpful: true },
  { text: `I forgot my PIN code ${RUN}`, intent: 'change_pin', confidence: 0.61, decision: 'answer', helpful: false },
  { text: `can I speak to someone ${RUN}`, intent: 'contactless_not_working', confidence: 0.19, decision: 'handoff', helpful: undefined },
] as const;

const seeded: { predictionId: string; text: string }[] = [];

async function seed(request: APIRequestContext) {
  for (const item of SEEDS) {
    const predictionId = randomUUID();
    const replyId = randomUUID();
    const turn = {
      conversationId: randomUUID(),
      botId: 'banking77',
      user: { id: randomUUID(), seq: 0, text: item.text, parts: { kind: 'typed' } },
      reply: { id: replyId, seq: 1, text: 'Here is what to do.', parts: { kind: item.decision, intent: item.intent } },
      prediction: {
        id: predictionId,
        modelId: 'banking77',
        modelVersion: 'e2e-1',
        intent: item.intent,
        confidence: item.confidence,
        topK: [{ intent: item.intent, probability: item.confidence }, { intent: 'card_delivery_estimate', probability: 0.05 }],
        decision: item.decision,
        backend: 'wasm',
        latencyMs: 12.5,
      },
    };
    expect((await request.post('/api/turns', { data: turn })).status()).toBe(201);
    if (item.helpful !== undefined) {
      expect((await request.put(`/api/messages/${replyId}/feedback`, { data: { id: randomUUID(), helpful: item.helpful } })).ok()).toBe(true);
    }
    const words = item.text.split(' ').reduce<{ text: string; start: number; end: number }[]>((all, word) => {
      const start = all.length ? all[all.length - 1]!.end + 1 : 0;
      return [...all, { text: word, start, end: start + word.length }];
    }, []);
    const explanations = {
      explanations: [
        {
          method: 'lime',
          version: 1,
          target: { index: 0, label: item.intent, probability: item.confidence },
          settings: { samples: 500, seed: 7 },
          words,
          scores: words.map((_, i) => (i === 1 ? 0.6 : 0.05)),
          extra: { intercept: 0.1, r2: 0.9 },
          faithfulness: { comprehensiveness: [{ k: '1', value: 0.4 }], sufficiency: [{ k: '1', value: 0.1 }], meanComprehensiveness: 0.4, meanSufficiency: 0.1, deletionAuc: 0.2 },
          timing: { ms: 140, forwardPasses: 8 },
        },
      ],
    };
    expect((await request.post(`/api/predictions/${predictionId}/explanations`, { data: explanations })).status()).toBe(201);
    seeded.push({ predictionId, text: item.text });
  }
}

/** An authenticated call from inside the page, as the admin's own scripts make it. */
async function pageFetch(page: Page, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return page.evaluate(async ({ url, init }) => {
    const response = await fetch(url, { ...init, credentials: 'same-origin' });
    return { status: response.status, text: await response.text() };
  }, { url, init });
}

test.describe('admin', () => {
  test.beforeAll(async ({ request }) => {
    await seed(request);
  });

  test('every admin page and API refuses anonymous access', async ({ request, baseURL }) => {
    const id = seeded[0]!.predictionId;
    const pages = ['/admin', '/admin?intent=card_arrival', '/admin/queue', '/admin/overview', `/admin/predictions/${id}`];
    for (const path of pages) {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(307);
      expect(response.headers().location, path).toMatch(/\/admin\/login$/);
    }
    const apis: [string, string][] = [
      ['GET', '/api/admin/predictions'],
      ['GET', `/api/admin/predictions/${id}`],
      ['GET', '/api/admin/queue'],
      ['GET', '/api/admin/overview'],
      ['GET', '/api/admin/export?format=csv'],
      ['GET', '/api/admin/export?format=jsonl'],
      ['GET', '/api/admin/export?format=training'],
      ['POST', `/api/admin/predictions/${id}/review`],
      ['POST', '/api/admin/logout'],
    ];
    for (const [method, path] of apis) {
      const response = await request.fetch(path, { method, maxRedirects: 0, headers: { origin: new URL(baseURL!).origin }, data: method === 'POST' ? { action: 'correct' } : undefined });
      expect(response.status(), `${method} ${path}`).toBe(401);
      expect((await response.json()).error.code, `${method} ${path}`).toBe('unauthorised');
    }
    // Signing in is refused from another site, even with the right password.
    const crossSite = await request.post('/api/admin/login', { headers: { origin: 'https://elsewhere.example' }, data: E2E_ADMIN });
    expect(crossSite.status()).toBe(403);
    expect(crossSite.headers()['set-cookie']).toBeUndefined();
    // Guessing is limited per e-mail (10 attempts in 15 minutes), counted in the database.
    const origin = { origin: new URL(baseURL!).origin };
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await request.post('/api/admin/login', { headers: origin, data: { email: 'guess@example.com', password: `guess number ${i}` } })).status());
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    const limited = await request.post('/api/admin/login', { headers: origin, data: { email: 'guess@example.com', password: 'another guess' } });
    expect(limited.status()).toBe(429);
    expect(Number(limited.headers()['retry-after'])).toBeGreaterThan(0);
    expect(queryE2eDatabase<{ count: number }>("SELECT count FROM RateLimitBucket WHERE key LIKE 'login:email:guess@example.com@%'")[0]!.count).toBe(12);
    // The sign-in page itself is public.
    expect((await request.get('/admin/login')).status()).toBe(200);
    // Nothing was reviewed by the attempts above.
    expect(queryE2eDatabase<{ n: number }>('SELECT COUNT(*) AS n FROM Review')[0]!.n).toBe(0);
  });

  test('signs in with the first admin from the environment, and refuses a wrong password', async ({ page, context }) => {
    const admin = new AdminPage(page);
    await admin.login(E2E_ADMIN.email, 'not the password at all');
    await expect(admin.loginStatus()).toContainText('do not match');
    expect(page.url()).toMatch(/\/admin\/login$/);

    await admin.loginAndWait();
    await expect(page.getByTestId('admin-user')).toHaveText(E2E_ADMIN.email);
    const cookie = (await context.cookies()).find((c) => c.name === '__Host-glassdesk-admin');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: true, path: '/' });
    // Stored hashed: the cookie's value is not a session id in the database.
    expect(queryE2eDatabase('SELECT id FROM AdminSession WHERE id = ?', cookie!.value)).toHaveLength(0);
    expect(queryE2eDatabase<{ passwordHash: string }>('SELECT passwordHash FROM AdminUser WHERE email = ?', E2E_ADMIN.email)[0]!.passwordHash).toMatch(/^\$argon2id\$/);
  });

  test('filters the log through the URL, and the back button restores the earlier view', async ({ page }) => {
    const admin = new AdminPage(page);
    await admin.loginAndWait();
    await admin.filter({ q: RUN });
    expect(await admin.messages()).toEqual([...SEEDS].reverse().map((s) => s.text));
    await admin.filter({ decision: 'handoff' });
    expect(page.url()).toContain(`q=${RUN}`);
    expect(await admin.messages()).toEqual([SEEDS[2].text]);
    await page.goBack();
    await expect(admin.rows).toHaveCount(3);
    await page.goto(`/admin?q=${RUN}&feedback=down`);
    expect(await admin.messages()).toEqual([SEEDS[1].text]);
    await expect(page.getByTestId('admin-log-feedback')).toHaveText('Not helpful');
    await expect(page.getByTestId('admin-log-confidence')).toHaveText('61.0 %');
    await page.goto(`/admin?q=${RUN}&maxConf=0.7&sort=confidence&dir=asc`);
    expect(await admin.messages()).toEqual([SEEDS[2].text, SEEDS[1].text]);
    await page.goto('/admin?minConf=7');
    await expect(page.getByTestId('admin-filter-error')).toContainText('minConf');
  });

  test('opens a prediction with its conversation and stored explanation, relabels it, and exports', async ({ page }) => {
    const admin = new AdminPage(page);
    await admin.loginAndWait();
    await admin.filter({ q: RUN });
    await admin.open(SEEDS[1].text);
    await expect(page.getByTestId('detail-conversation')).toContainText('Here is what to do.');
    await expect(page.locator('#admin-why')).toBeVisible();
    // The stored LIME weights rank the second word first.
    await expect(page.getByTestId('why-summary-words')).toContainText('forgot');
    await page.getByText('Stored objects, method by method').click();
    await expect(page.getByTestId('admin-explanation-lime')).toContainText('140 ms');
    await expect(page.getByText('banking77 e2e-1')).toBeVisible();

    await admin.relabel('lost_or_stolen_card');
    await expect(page.getByTestId('detail-review-status')).toContainText('Relabelled');
    await expect(page.getByTestId('review-entry').first()).toContainText(`relabel`);
    await expect(page.getByTestId('review-entry').first()).toContainText(E2E_ADMIN.email);
    const reviews = queryE2eDatabase<{ action: string; intent: string; email: string }>(
      'SELECT r.action, r.intent, u.email FROM Review r JOIN AdminUser u ON u.id = r.reviewerId WHERE r.predictionId = ?',
      seeded[1]!.predictionId,
    );
    expect(reviews).toEqual([{ action: 'relabel', intent: 'lost_or_stolen_card', email: E2E_ADMIN.email }]);

    await page.goto(`/admin?q=${RUN}&review=relabelled`);
    expect(await admin.messages()).toEqual([SEEDS[1].text]);
    const csv = await admin.download('export-csv');
    expect(csv.name).toMatch(/\.csv$/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,createdAt,conversationId,text,intent,confidence,decision,backend,modelVersion,latencyMs,feedback,reviewStatus,reviewedIntent,verification,verifiedIntent,minFaithfulness,methodsDisagree');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${seeded[1]!.predictionId},`);
    expect(lines[1]).toContain(',change_pin,0.61,answer,wasm,e2e-1,12.5,down,relabelled,lost_or_stolen_card,');
    const jsonl = await admin.download('export-jsonl');
    expect(jsonl.text.trim().split('\n').map((line) => JSON.parse(line).text)).toEqual([SEEDS[1].text]);
    const training = await admin.download('export-training');
    expect(training.text.split('\n')[0]).toBe('text,intent');
    expect(training.text).toContain(`${SEEDS[1].text},lost_or_stolen_card\n`);
  });

  test('the needs-review queue puts the riskiest first; the overview charts the log with text alternatives', async ({ page }) => {
    const admin = new AdminPage(page);
    await admin.loginAndWait();
    await page.getByRole('link', { name: 'Needs review' }).click();
    await expect(page.getByTestId('admin-queue')).toBeVisible();
    const queued = await admin.messages();
    // The hand-off at 19 % outranks the thumbs-up answer at 93 %.
    const handoff = queued.indexOf(SEEDS[2].text);
    const confident = queued.indexOf(SEEDS[0].text);
    expect(handoff).toBeGreaterThanOrEqual(0);
    expect(confident === -1 || handoff < confident).toBe(true);

    await page.getByRole('link', { name: 'Overview' }).click();
    await expect(page.getByTestId('overview-summary')).toContainText('predictions since');
    const total = queryE2eDatabase<{ n: number }>('SELECT COUNT(*) AS n FROM Prediction')[0]!.n;
    await expect(page.getByTestId('overview-summary')).toContainText(`${total.toLocaleString('en')} predictions`);
    for (const chart of ['volume', 'decisions', 'confidence', 'feedback', 'faithfulness', 'intents']) {
      await expect(page.getByTestId(`chart-${chart}`).locator('svg[role="img"] > title')).toHaveCount(1);
    }
    const decisions = await page.getByTestId('chart-decisions').locator('desc').textContent();
    const handoffs = queryE2eDatabase<{ n: number }>("SELECT COUNT(*) AS n FROM Prediction WHERE decision = 'handoff'")[0]!.n;
    expect(decisions).toContain(`handoff: ${handoffs}`);
  });

  test('state-changing calls need the CSRF token; signing out ends the session on the server', async ({ page }) => {
    const admin = new AdminPage(page);
    await admin.loginAndWait();
    const id = seeded[0]!.predictionId;
    const noToken = await pageFetch(page, `/api/admin/predictions/${id}/review`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'flag' }) });
    expect(noToken.status).toBe(403);
    const wrongToken = await pageFetch(page, `/api/admin/predictions/${id}/review`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': 'guess' }, body: JSON.stringify({ action: 'flag' }) });
    expect(wrongToken.status).toBe(403);
    expect(queryE2eDatabase('SELECT id FROM Review WHERE predictionId = ?', id)).toHaveLength(0);
    expect((await pageFetch(page, '/api/admin/queue')).status).toBe(200);

    await page.getByTestId('admin-logout').click();
    await page.waitForURL(/\/admin\/login$/);
    expect(queryE2eDatabase<{ n: number }>('SELECT COUNT(*) AS n FROM AdminSession WHERE revokedAt IS NOT NULL')[0]!.n).toBeGreaterThan(0);
    expect((await pageFetch(page, '/api/admin/queue')).status).toBe(401);
    await page.goto('/admin');
    await expect(page).toHaveURL(/\/admin\/login$/);
  });

  test('a forged prediction ends a mismatch that stands out in the log, and the detail shows both results', async ({ page, request }) => {
    const text = `I forgot my PIN and now it is blocked ${randomUUID().slice(0, 8)}`;
    const predictionId = randomUUID();
    // The served model version, but an intent the model would never give this message.
    const forged = {
      conversationId: randomUUID(),
      botId: 'banking77',
      user: { id: randomUUID(), seq: 0, text, parts: { kind: 'typed' } },
      reply: { id: randomUUID(), seq: 1, text: 'Here is how Apple Pay works.', parts: { kind: 'answer', intent: 'apple_pay_or_google_pay' } },
      prediction: {
        id: predictionId,
        modelId: 'banking77',
        modelVersion: shippedVersion(),
        intent: 'apple_pay_or_google_pay',
        confidence: 0.97,
        topK: [{ intent: 'apple_pay_or_google_pay', probability: 0.97 }],
        decision: 'answer',
        backend: 'wasm',
        latencyMs: 4,
      },
    };
    expect((await request.post('/api/turns', { data: forged })).status()).toBe(201);
    const [stored] = await waitForRows<{ verifiedIntent: string; verifiedConfidence: number }>(
      1,
      "SELECT verifiedIntent, verifiedConfidence FROM Prediction WHERE id = ? AND verification = 'mismatch'",
      predictionId,
    );
    expect(stored?.verifiedIntent).toMatch(/^\w+$/);
    expect(stored!.verifiedIntent).not.toBe('apple_pay_or_google_pay');

    const admin = new AdminPage(page);
    await admin.loginAndWait();
    await admin.filter({ verification: 'mismatch' });
    const row = admin.rows.filter({ hasText: text });
    await expect(row).toHaveCount(1);
    const badge = row.getByTestId('admin-log-verification');
    await expect(badge.getByTestId('verification-badge')).toHaveText('⚠ Mismatch');
    await expect(badge).toContainText('server:');
    // Only mismatches are listed under that filter.
    for (const value of await page.getByTestId('verification-badge').allTextContents()) expect(value).toBe('⚠ Mismatch');

    await admin.open(text);
    const panel = page.getByTestId('verification-panel');
    await expect(panel).toContainText('What the browser reported is not what the model says');
    await expect(panel.getByTestId('verification-reported')).toContainText('apple_pay_or_google_pay');
    await expect(panel.getByTestId('verification-reported')).toContainText('97.0 %');
    await expect(panel.getByTestId('verification-server')).toContainText(stored!.verifiedIntent);
    await expect(panel.getByTestId('verification-server')).toContainText(`${(stored!.verifiedConfidence * 100).toFixed(1)} %`);
  });
});
