import { expect, type Locator, type Page } from '@playwright/test';

/** The chat as a visitor sees it. */
export class ChatPage {
  readonly shell: Locator;
  readonly input: Locator;
  readonly sendButton: Locator;
  readonly messages: Locator;
  readonly modelStatus: Locator;

  constructor(readonly page: Page) {
    this.shell = page.getByTestId('chat-shell');
    this.input = page.getByTestId('chat-input');
    this.sendButton = page.getByTestId('send-button');
    this.messages = page.getByTestId('message');
    this.modelStatus = page.getByTestId('model-status');
  }

  async open(query = '') {
    await this.page.goto(`/${query}`);
    await expect(this.shell).toBeVisible();
  }

  /** Waits until the model runs, and returns the backend it runs on. */
  async waitForModel(timeout = 60_000): Promise<string> {
    await expect(this.modelStatus).toHaveAttribute('data-state', 'ready', { timeout });
    return (await this.page.getByTestId('backend').getAttribute('data-backend')) ?? '';
  }

  messagesFrom(role: 'user' | 'assistant') {
    return this.page.locator(`[data-testid="message"][data-role="${role}"]`);
  }

  lastReply() {
    return this.messagesFrom('assistant').last();
  }

  /** Types a message, sends it with Enter and waits for the reply to it. */
  async ask(text: string): Promise<Locator> {
    const before = await this.messagesFrom('assistant').count();
    await this.input.fill(text);
    await this.input.press('Enter');
    await expect(this.messagesFrom('assistant')).toHaveCount(before + 1, { timeout: 30_000 });
    return this.lastReply();
  }

  /** Opens a reply's "Why this answer?" panel (unless it is open) and waits until every explanation is computed. */
  async explain(reply: Locator): Promise<Locator> {
    const toggle = reply.getByTestId('why-toggle');
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    const panel = reply.getByTestId('why-panel');
    await expect(panel).toBeVisible();
    await expect(panel.getByTestId('why-progress')).toHaveCount(0, { timeout: 90_000 });
    return panel;
  }

  /**
   * The words and formatted scores a word-scoring method's table shows in an open panel's
   * technical details (opened if closed), in the panel's order.
   */
  async wordScoresShown(panel: Locator, method: 'lime' | 'occlusion' | 'attention' | 'rollout'): Promise<string[][]> {
    const technical = panel.getByTestId('why-technical-toggle');
    if ((await technical.getAttribute('aria-expanded')) !== 'true') await technical.click();
    const details = panel.getByTestId('why-technical');
    await details.getByTestId('why-tab-scores').click();
    await details.getByTestId(`why-method-${method}`).check();
    return ChatPage.scoreRowsShown(details);
  }

  /** The words and formatted scores of the word-score table shown in a panel's technical details. */
  static scoreRowsShown(details: Locator): Promise<string[][]> {
    return details
      .getByRole('tabpanel')
      .locator('table tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => {
          const cells = tr.querySelectorAll('th, td');
          return [cells[0]?.textContent?.trim() ?? '', cells[cells.length - 1]?.textContent?.trim() ?? ''];
        }),
      );
  }

  /** Thumbs down on a reply, with a comment. */
  async complain(reply: Locator, comment: string) {
    await reply.getByTestId('feedback-down').click();
    await reply.getByTestId('feedback-comment').fill(comment);
    await reply.getByTestId('feedback-send').click();
  }

  async conversationId(): Promise<string> {
    return this.page.evaluate(() => window.localStorage.getItem('glassdesk:conversation:banking77') ?? '');
  }
}
