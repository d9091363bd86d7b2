import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { e2eDatabaseFile } from '../../playwright.config';
import { AdminPage } from './pages/admin-page';
import { createAdminAccount, type AdminAccount } from './support/admin-session';
import { shippedVersion } from './support/model-version';
import { root } from './support/next-server.mjs';

// The admin's Model page against the production build: an audit report of the demo model's
// version (tests/support/audit-report.ts, its first worst flip explained by the real model) is
// stored through insertAudit in the server's database; an admin and an agent read its figures.

/** Where the README's screenshots go when asked for: `SCREENSHOT_DIR=public/screenshots`. */
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ? path.resolve(root, process.env.SCREENSHOT_DIR) : null;
const card = JSON.parse(readFileSync(path.join(root, 'public/models/banking77/model-card.json'), 'utf8')) as { created: string; metrics: { accuracy: number; macro_f1: number } };
const ADMIN = { email: 'model-admin@example.com', password: 'model admin password, not secret' };
const AGENT = { email: 'model-agent@example.com', password: 'model agent password, not secret' };

const tsx = (args: string[], input?: string) =>
  execFileSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--conditions', 'react-server', ...args], {
    cwd: root,
    input,
    env: { ...process.env, DATABASE_URL: `file:${e2eDatabaseFile}` },
    stdio: ['pipe', 'pipe', 'inherit'],
  }).toString();

/** The report, its first flip explained by the demo model, stored as the audit stores it. */
function storeReport(): string {
  return tsx([
    '--eval',
    `const { auditReportFixture, storeAuditReport, withExplainedFlip } = await import('./tests/support/audit-report.ts');
     const { readModelCard } = await import('./lib/model/node.ts');
     const { modelVersion } = await import('./lib/model/card.ts');
     const { contentHash } = await import('./lib/model/versions.ts');
     const dir = 'public/models/banking77';
     const report = await withExplainedFlip(auditReportFixture({ version: modelVersion(readModelCard(dir)), hash: contentHash(dir) }), dir);
     console.log(await storeAuditReport(report));
     process.exit(0);`,
  ]).trim();
}

async function shoot(page: Page, name: string) {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

async function signIn(page: Page, account: AdminAccount) {
  await new AdminPage(page).loginAndWait(account.email, account.password);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Model' }).click();
  await page.waitForURL(/\/admin\/model$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Model' })).toBeVisible();
}

/** The page fits the window: nothing scrolls sideways but the containers meant to. */
async function expectNoSidewaysScroll(page: Page) {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.window);
}

test.describe('admin Model page', () => {
  test.beforeAll(async () => {
    await createAdminAccount(ADMIN.email, ADMIN.password);
    tsx(['lib/auth/create-admin-cli.ts', '--email', AGENT.email, '--role', 'agent', '--password-stdin'], AGENT.password);
    expect(storeReport()).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('is behind sign-in', async ({ request }) => {
    const response = await request.get('/admin/model', { maxRedirects: 0 });
    expect(response.status()).toBe(307);
    expect(response.headers().location).toMatch(/\/admin\/login$/);
  });

  test("an admin reads the card and the stored audit of the served version, with its warnings and worst flips", async ({ page }) => {
    await signIn(page, ADMIN);

    // The card.
    // The version served: the shipped folder's content hash, shown short, whole in its title.
    await expect(page.getByTestId('card-version')).toHaveText(shippedVersion().slice(0, 12));
    await expect(page.getByTestId('card-version')).toHaveAttribute('title', shippedVersion());
    await expect(page.getByTestId('card-accuracy')).toHaveText(`${(card.metrics.accuracy * 100).toFixed(1)} %`);
    await expect(page.getByTestId('card-macro-f1')).toHaveText(card.metrics.macro_f1.toFixed(3));
    await expect(page.getByTestId('card-settings').getByRole('row', { name: /members/ })).toContainText('two-model ensemble');

    // The audit: where it came from, and the warnings at the top, each linking to its section.
    await expect(page.getByTestId('audit-summary')).toContainText('Run on 2026-11-30 09:12:04 UTC, in 94.3 s, on 1,027 messages of 78 intents from a labelled data file. Stored on');
    const warnings = page.getByTestId('audit-warning');
    await expect(warnings).toHaveText([
      'Filler words change the answer for 5.8 % of messages (over 5 %).',
      'Swapping a first name changes the answer for 8.3 % of messages (over 5 %).',
      'Names by origin: Disparate Impact 0.76 fails the four-fifths rule (< 0.8).',
      'No word list of ages for en: the age suite did not run.',
    ]);
    await expect(page.getByTestId('audit-warnings').getByRole('heading', { level: 2 })).toHaveText('4 warnings from the audit');
    await warnings.nth(2).getByRole('link').click();
    await expect(page).toHaveURL(/#audit-fairness$/);
    await expect(page.getByTestId('audit-fairness')).toBeInViewport();
    await expect(page.getByTestId('audit-lists')).toContainText('Missing: ages');

    // Invariance: the table beside the chart, the types over 5 % marked in words.
    const row = (type: string) => page.locator(`[data-testid="invariance-row"][data-type="${type}"]`);
    await expect(page.getByTestId('invariance-row')).toHaveCount(10);
    await expect(row('name').getByTestId('invariance-flip-rate')).toHaveText('8.3 %');
    await expect(row('name')).toContainText('95 % CI 6.2–10.5 %');
    await expect(row('name').getByTestId('invariance-delta-p')).toHaveText('0.064');
    await expect(row('name')).toContainText('Over 5 %');
    await expect(row('filler')).toContainText('Over 5 %');
    await expect(row('religion')).not.toContainText('Over');
    await expect(row('religion').getByTestId('warning-mark')).toHaveCount(0);
    await expect(row('contraction')).toContainText('95 % CI 0–3.9 %');
    const invarianceChart = page.getByTestId('chart-invariance');
    await expect(invarianceChart.locator('desc')).toContainText('First names: 8.3 % (95 % CI 6.2 %–10.5 %), warning');
    await expect(invarianceChart.locator('desc')).toContainText('5 % threshold: 5 %');
    await expect(invarianceChart.locator('[data-flagged="true"]')).toHaveCount(2);

    // Fairness: groups' rates with their values, DI against 0.8, the violation marked.
    const origin = page.locator('[data-testid="fairness-attribute"][data-attribute="name_origin"]');
    await expect(origin).toContainText('Fails the four-fifths rule');
    await expect(origin.getByTestId('fairness-di')).toHaveText('0.76 (95 % CI 0.66–0.85)');
    await expect(origin.getByTestId('fairness-eo')).toHaveText('9 % (95 % CI 3–15 %)');
    await expect(origin.getByRole('row', { name: /Arabic/ })).toContainText('68 %');
    await expect(page.locator('[data-testid="fairness-attribute"][data-attribute="religion"]').getByTestId('fairness-eo')).toHaveText('5 % (no interval: too few cases)');
    await expect(page.locator('[data-testid="fairness-attribute"][data-attribute="name_gender"]')).not.toContainText('Fails');
    await expect(page.getByTestId('chart-disparate-impact').locator('desc')).toContainText('Names by origin: 0.76 (95 % CI 0.66–0.85), warning');

    // Negation and explanation robustness, in words.
    await expect(page.getByTestId('audit-negation-text')).toContainText('changed the answer for 34.2 % of 120 messages (95 % CI 25.8–42.5 %)');
    await expect(page.getByTestId('audit-explanation-robustness')).toContainText('LIME: on average 87 % of its top 3 words stay the same between a message and its rephrasings (95 % CI 82–91 %).');
    await expect(page.getByTestId('audit-explanation-robustness')).toContainText('The methods disagree on the most important word for 23 % of messages (95 % CI 18–28 %).');

    // The history names this stored audit as of the version served.
    await expect(page.getByTestId('audit-history-row')).toHaveCount(1);
    await expect(page.getByTestId('audit-history-row')).toContainText('4 warnings · took 94.3 s');
    await expect(page.getByTestId('audit-history-row')).toContainText('served now');

    await expectNoSidewaysScroll(page);
    await shoot(page, 'admin-model');

    // Worst flips: the explained one opens the two why-panels side by side.
    const flips = page.getByTestId('worst-flip');
    await expect(flips).toHaveCount(4);
    const explained = flips.first();
    await expect(explained).toContainText('I am a Muslim customer, can I get a card?');
    await expect(explained).toContainText('I am a Christian customer, can I get a card?');
    await expect(explained.getByTestId('why-panel')).toHaveCount(0);
    await explained.locator('summary').click();
    const panels = explained.getByTestId('why-panel');
    await expect(panels).toHaveCount(2);
    await expect(explained.getByTestId('worst-flip-original').getByTestId('why-panel')).toHaveAttribute('aria-label', /^Why this answer: /);
    // The audit computed them, in Node: no visitor's browser did.
    for (const side of ['worst-flip-original', 'worst-flip-variant']) {
      await expect(explained.getByTestId(side).getByTestId('why-provenance')).toHaveText(/^Computed by the audit on .+ in Node\.js on the CPU: .+, [\d,]+ model runs\.$/);
    }
    const [left, right] = await Promise.all([panels.nth(0).boundingBox(), panels.nth(1).boundingBox()]);
    expect(right!.x).toBeGreaterThan(left!.x + left!.width - 1);
    expect(Math.abs(right!.y - left!.y)).toBeLessThan(2);
    await explained.getByTestId('worst-flip-original').scrollIntoViewIfNeeded();
    if (SCREENSHOT_DIR) await explained.screenshot({ path: path.join(SCREENSHOT_DIR, 'admin-model-flip.png') });

    // A flip the audit did not explain says so; the disclosure opens from the keyboard.
    const unexplained = flips.nth(1);
    await unexplained.locator('summary').focus();
    await page.keyboard.press('Enter');
    await expect(unexplained.getByTestId('worst-flip-no-explanations')).toBeVisible();
    await expect(unexplained.getByTestId('why-panel')).toHaveCount(0);

    // On a phone: no sideways scroll, the two panels stacked.
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoSidewaysScroll(page);
    const [top, bottom] = await Promise.all([panels.nth(0).boundingBox(), panels.nth(1).boundingBox()]);
    expect(bottom!.y).toBeGreaterThan(top!.y + top!.height - 1);
    if (SCREENSHOT_DIR) await explained.screenshot({ path: path.join(SCREENSHOT_DIR, 'admin-model-flip-phone.png') });
    await unexplained.locator('summary').click();
    await explained.locator('summary').click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot(page, 'admin-model-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('an agent reads the same page, and nothing on it changes anything', async ({ page }) => {
    await signIn(page, AGENT);
    const nav = page.getByRole('navigation', { name: 'Admin' });
    await expect(nav.getByRole('link', { name: 'Overview' })).toHaveCount(0);
    await expect(nav.getByRole('link', { name: 'Model' })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByTestId('card-accuracy')).toHaveText(`${(card.metrics.accuracy * 100).toFixed(1)} %`);
    await expect(page.getByTestId('audit-warning')).toHaveCount(4);
    await expect(page.locator('[data-testid="invariance-row"][data-type="filler"]').getByTestId('invariance-flip-rate')).toHaveText('5.8 %');
    await expect(page.locator('form[method="post" i]')).toHaveCount(0);
  });

  test('the bot selector shows another bot: its card and how to audit it, or that no model is served', async ({ page }) => {
    await signIn(page, ADMIN);
    await page.getByTestId('model-bot').selectOption('bank-zh');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/\/admin\/model\?bot=bank-zh$/);
    await expect(page.getByTestId('model-bot')).toHaveValue('bank-zh');
    await expect(page.getByTestId('audit-warnings')).toHaveCount(0);
    // The Chinese fixture model is trained before the server starts (playwright.config.ts) where Python with torch is found.
    if (existsSync(path.join(root, 'public/models/bank-zh/model-card.json'))) {
      await expect(page.getByTestId('audit-command')).toHaveText(`npm run audit -- --model data/models/bank-zh/${shippedVersion('bank-zh')} --bot bank-zh`);
      await expect(page.getByTestId('audit-empty')).toContainText('has not been audited yet');
    } else {
      await expect(page.getByTestId('model-missing')).toHaveText('No model version of this bot is stored, and this build ships none (public/models/bank-zh/).');
    }
    await expectNoSidewaysScroll(page);
  });
});
