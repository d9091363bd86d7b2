import { expect, test } from '@playwright/test';
import { ChatPage } from './pages/chat-page';

test.describe('chat shell', () => {
  test('renders, with a labelled input and a polite live region for replies', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/assistant/i);
    await expect(page.getByRole('textbox', { name: 'Your message' })).toBeVisible();
    await expect(page.getByTestId('message-list')).toHaveAttribute('aria-live', 'polite');
    await expect(chat.sendButton).toBeDisabled();
  });

  test('Enter sends, Shift+Enter breaks the line, and focus stays in the input', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open();
    await chat.waitForModel();
    await chat.input.fill('first line');
    await chat.input.press('Shift+Enter');
    await chat.input.pressSequentially('second line');
    await expect(chat.input).toHaveValue('first line\nsecond line');
    await expect(chat.messages).toHaveCount(0);

    await chat.input.press('Enter');
    await expect(chat.messagesFrom('user')).toHaveText(['You said: first line\nsecond line']);
    await expect(chat.messagesFrom('assistant')).toHaveCount(1);
    await expect(chat.input).toHaveValue('');
    await expect(chat.input).toBeFocused();
  });

  test('the browser has a WebGPU adapter', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open();
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      if (!gpu) return { present: false };
      const found = (await gpu.requestAdapter()) as { info?: { vendor?: string; architecture?: string }; features?: Set<string> } | null;
      return { present: !!found, vendor: found?.info?.vendor ?? '', architecture: found?.info?.architecture ?? '' };
    });
    expect(adapter.present).toBe(true);
    test.info().annotations.push({ type: 'webgpu-adapter', description: `${adapter.vendor} ${adapter.architecture}`.trim() });
  });

  test('pages are served with a CSP that allows no other host, and nothing violates it', async ({ page }) => {
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const response = await page.goto('/');
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/https?:|\*/);
    await expect(page.getByTestId('chat-shell')).toBeVisible();
    // Under the policy: the page hydrated, the worker started and compiled the WebAssembly
    // runtime, and the model answers.
    const chat = new ChatPage(page);
    await chat.waitForModel();
    await chat.input.fill('hello');
    await expect(chat.sendButton).toBeEnabled();
    expect(violations).toEqual([]);
  });

  test('the admin sign-in page renders', async ({ page }) => {
    await page.goto('/admin');
    await expect(page.getByTestId('admin-login')).toBeVisible();
    await expect(page.getByLabel('E-mail')).toBeVisible();
    await expect(page.getByLabel('Password')).toBeVisible();
  });
});
