import { expect, type Locator, type Page } from '@playwright/test';

/** The chat as a visitor sees it. */
export class ChatPage {
  readonly shell: Locator;
  readonly input: Locator;
  readonly sendButton: Locator;
  readonly messages: Locator;

  constructor(readonly page: Page) {
    this.shell = page.getByTestId('chat-shell');
    this.input = page.getByTestId('chat-input');
    this.sendButton = page.getByTestId('send-button');
    this.messages = page.getByTestId('message');
  }

  async open(query = '') {
    await this.page.goto(`/${query}`);
    await expect(this.shell).toBeVisible();
  }

  messagesFrom(role: 'user' | 'assistant') {
    return this.page.locator(`[data-testid="message"][data-role="${role}"]`);
  }

  async send(text: string) {
    await this.input.fill(text);
    await this.input.press('Enter');
  }
}
