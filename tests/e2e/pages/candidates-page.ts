import { expect, type Locator, type Page } from '@playwright/test';

export type VersionChangeKind = 'promote' | 'rollback' | 'retire';

/** The admin's Candidates page: the version served now, the candidates with their replays, the change log. */
export class CandidatesPage {
  readonly heading: Locator;
  readonly active: Locator;
  readonly candidates: Locator;
  readonly changeRows: Locator;
  readonly notice: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Candidates' });
    this.active = page.getByTestId('active-version');
    this.candidates = page.getByTestId('candidate');
    this.changeRows = page.getByTestId('change-row');
    this.notice = page.getByTestId('change-notice');
  }

  /** Opens the page through the admin's navigation, as an operator does. */
  async openFromNavigation() {
    await this.page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Candidates' }).click();
    await this.page.waitForURL(/\/admin\/candidates(\?|$)/);
    await expect(this.heading).toBeVisible();
  }

  /** The full hash of the version served now, as the page names it. */
  activeVersion(): Promise<string | null> {
    return this.active.getByTestId('active-hash').getAttribute('data-version');
  }

  candidate(hash: string): Locator {
    return this.page.locator(`[data-testid="candidate"][data-version="${hash}"]`);
  }

  /** The figure a candidate's replay shows under `testId` (`candidate-agreement`, `candidate-accuracy`, …). */
  figure(candidate: Locator, testId: string): Locator {
    return candidate.getByTestId(`${testId}-value`);
  }

  /** Opens a change's form inside `scope` (a candidate, or the served version's section), writes the reason and confirms. */
  async change(scope: Locator, kind: VersionChangeKind, reason: string) {
    await scope.getByTestId(`version-${kind}-open`).click();
    const form = scope.getByTestId(`version-${kind}-form`);
    await expect(form.getByTestId('version-reason')).toBeFocused();
    await form.getByTestId('version-reason').fill(reason);
    await form.getByTestId(`version-${kind}-confirm`).click();
  }

  /** Promotes, rolls back or retires, and waits until the page shows the change it made. */
  async changeAndWait(scope: Locator, kind: VersionChangeKind, reason: string) {
    const before = new URL(this.page.url()).searchParams.get('changed');
    await this.change(scope, kind, reason);
    await this.page.waitForURL((url) => url.searchParams.has('changed') && url.searchParams.get('changed') !== before);
    await expect(this.notice).toBeVisible();
    await expect(this.notice).toBeFocused();
  }

  /** The change log's rows as the page shows them: change, who, reason; newest first. */
  async changeLog(): Promise<{ action: string; actor: string; reason: string }[]> {
    const rows = await this.changeRows.all();
    return Promise.all(
      rows.map(async (row) => ({
        action: (await row.getAttribute('data-action')) ?? '',
        actor: (await row.getByTestId('change-actor').innerText()).trim(),
        reason: (await row.getByTestId('change-reason').innerText()).trim(),
      })),
    );
  }
}
