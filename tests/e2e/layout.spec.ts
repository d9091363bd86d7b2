import { expect, test, type Locator, type Page } from '@playwright/test';
import { AdminPage } from './pages/admin-page';
import { ChatPage } from './pages/chat-page';
import { waitForRows } from './support/database';

// The chat with the why-panel open on every tab, and every admin page, on a phone and on a
// laptop: nothing may make the page scroll sideways.
const SCREENS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'laptop', width: 1280, height: 800 },
] as const;

const CUSTOMER_TABS = ['why-tab-words', 'why-tab-alternatives', 'why-tab-similar'];
const TECHNICAL_TABS = ['why-tab-scores', 'why-tab-attention', 'why-tab-faithfulness'];

async function expectNoSidewaysScroll(page: Page, where: string) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `${where}: page ${scrollWidth} px wide in a ${innerWidth} px window`).toBeLessThanOrEqual(innerWidth);
}

/** The element's right edge is inside the window. */
async function expectInsideWindow(page: Page, locator: Locator, where: string) {
  const box = await locator.boundingBox();
  const innerWidth = await page.evaluate(() => window.innerWidth);
  expect(box, where).not.toBeNull();
  expect(box!.x + box!.width, `${where}: right edge`).toBeLessThanOrEqual(innerWidth + 0.5);
}

for (const screen of SCREENS) {
  test.describe(`on a ${screen.width} × ${screen.height} screen`, () => {
    test.describe.configure({ timeout: 180_000 });
    test.use({ viewport: { width: screen.width, height: screen.height } });

    test('the chat with the why-panel open fits on every tab, and the admin pages fit', async ({ page, browser }) => {
      const chat = new ChatPage(page);
      await chat.open('?device=wasm');
      await chat.waitForModel();
      await expectNoSidewaysScroll(page, 'empty chat');
      const reply = await chat.ask(`my new card still has not arrived, I ordered it two weeks ago from the app ${screen.name}`);
      // "New conversation" stays on one line.
      const startOver = page.getByTestId('start-over');
      const lineHeight = await startOver.evaluate((element) => parseFloat(getComputedStyle(element).lineHeight));
      expect((await startOver.boundingBox())!.height).toBeLessThan(lineHeight * 2);

      const panel = await chat.explain(reply);
      for (const testId of CUSTOMER_TABS) {
        await panel.getByTestId(testId).click();
        await expectNoSidewaysScroll(page, `chat, ${testId}`);
        await expectInsideWindow(page, panel, `panel on ${testId}`);
      }
      await panel.getByTestId('why-technical-toggle').click();
      for (const testId of TECHNICAL_TABS) {
        await panel.getByTestId(testId).click();
        await expectNoSidewaysScroll(page, `chat, ${testId}`);
        await expectInsideWindow(page, panel, `panel on ${testId}`);
        if (testId !== 'why-tab-attention') continue;
        // The wide heatmaps scroll inside their own boxes.
        for (const table of ['why-attention-heatmap', 'why-head-view']) await expectInsideWindow(page, panel.getByTestId(table).locator('xpath=..'), table);
      }

      // The same prediction in the admin.
      const conversationId = await chat.conversationId();
      const [prediction] = await waitForRows<{ id: string }>(
        1,
        `SELECT p.id FROM Prediction p JOIN Message m ON m.id = p.messageId JOIN Explanation e ON e.predictionId = p.id WHERE m.conversationId = ? GROUP BY p.id HAVING COUNT(e.id) >= 6`,
        conversationId,
      );
      expect(prediction).toBeDefined();

      const context = await browser.newContext({ viewport: { width: screen.width, height: screen.height } });
      const adminPage = await context.newPage();
      await adminPage.goto('/admin/login');
      await expect(adminPage.getByTestId('admin-login')).toBeVisible();
      await expectNoSidewaysScroll(adminPage, 'admin sign-in');
      const admin = new AdminPage(adminPage);
      await admin.loginAndWait();
      for (const path of ['/admin', '/admin/queue', '/admin/overview', '/admin/model', `/admin/predictions/${prediction!.id}`]) {
        await adminPage.goto(path);
        await expect(adminPage.getByTestId('admin-logout')).toBeVisible();
        await expectNoSidewaysScroll(adminPage, path);
        await expectInsideWindow(adminPage, adminPage.getByTestId('admin-logout'), `"Sign out" on ${path}`);
      }
      // The stored panel on the prediction page, on every tab (the technical details open by default).
      const stored = adminPage.locator('#admin-why');
      await expect(stored.getByTestId('why-technical-toggle')).toHaveAttribute('aria-expanded', 'true');
      for (const testId of [...CUSTOMER_TABS, ...TECHNICAL_TABS]) {
        await stored.getByTestId(testId).click();
        await expectNoSidewaysScroll(adminPage, `admin panel, ${testId}`);
      }
      await context.close();
    });
  });
}
