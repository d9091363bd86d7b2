import { expect, type Locator, type Page } from '@playwright/test';

export const E2E_ADMIN = { email: 'e2e-admin@example.com', password: 'e2e admin password, not secret' };

/** The admin dashboard as an operator sees it. */
export class AdminPage {
  readonly table: Locator;
  readonly rows: Locator;
  readonly total: Locator;
  readonly filters: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByTestId('admin-log-table');
    this.rows = page.getByTestId('admin-log-row');
    this.total = page.getByTestId('admin-log-total');
    this.filters = page.getByTestId('admin-filters');
  }

  async login(email = E2E_ADMIN.email, password = E2E_ADMIN.password) {
    await this.page.goto('/admin/login');
    await this.page.getByLabel('E-mail').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  async loginAndWait(email = E2E_ADMIN.email, password = E2E_ADMIN.password) {
    await this.login(email, password);
    await expect(this.table).toBeVisible();
  }

  async logout() {
    await this.page.getByTestId('admin-logout').click();
    await this.page.waitForURL(/\/admin\/login$/);
  }

  /** A prediction's detail page, by id. */
  async openDetail(predictionId: string) {
    await this.page.goto(`/admin/predictions/${predictionId}`);
    await expect(this.page.getByTestId('detail-message')).toBeVisible();
  }

  loginStatus() {
    return this.page.getByTestId('admin-login-status');
  }

  async filter(values: Record<string, string>) {
    for (const [name, value] of Object.entries(values)) {
      const field = this.page.getByTestId(`filter-${name}`);
      if ((await field.evaluate((element) => element.tagName)) === 'SELECT') await field.selectOption(value);
      else await field.fill(value);
    }
    await this.page.getByTestId('filter-apply').click();
    await this.page.waitForURL((url) => Object.entries(values).every(([name, value]) => url.searchParams.get(name) === value));
  }

  messages() {
    return this.page.getByTestId('admin-log-message').allTextContents();
  }

  async open(text: string) {
    await this.page.getByTestId('admin-log-message').filter({ hasText: text }).first().click();
    await expect(this.page.getByTestId('detail-message')).toContainText(text);
  }

  async relabel(intent: string) {
    await this.page.getByTestId('review-intent').selectOption(intent);
    await this.page.getByTestId('review-relabel').click();
    await expect(this.page.getByTestId('review-status')).toHaveText('Saved.');
  }

  /** Follows an export link and returns the downloaded file's text. */
  async download(testId: 'export-csv' | 'export-jsonl' | 'export-training'): Promise<{ name: string; text: string }> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId(testId).click()]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { name: download.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
  }
}
