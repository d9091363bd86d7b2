import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { Explanation } from '@/lib/explain/types';
import { formatScore } from '@/lib/ui/explain/format';
import { ChatPage } from './pages/chat-page';
import { waitForRows } from './support/database';

// Read as data: Node's loader here does not take the bundler's JSON imports.
const content = JSON.parse(readFileSync(path.join(process.cwd(), 'lib/bot/answers/banking77.json'), 'utf8')) as {
  intents: Record<string, { label: string }>;
};
const intentLabel = (intent: string) => content.intents[intent]?.label ?? intent;
const CUSTOMER_TABS = ['why-tab-words', 'why-tab-alternatives', 'why-tab-similar'];
const TECHNICAL_TABS = ['why-tab-scores', 'why-tab-attention', 'why-tab-faithfulness'];

test.describe('Why this answer?', () => {
  test.describe.configure({ timeout: 120_000 });

  test('every tab shows its evidence, and what is stored equals what the panel showed', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.open('?device=wasm');
    await chat.waitForModel();
    const reply = await chat.ask('my new card still has not arrived');
    const intent = (await reply.getAttribute('data-intent'))!;

    // The reply shows at once; the input is usable while the explanation is computed.
    await expect(chat.input).toBeEnabled();
    const toggle = reply.getByTestId('why-toggle');
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const panel = reply.getByTestId('why-panel');
    await expect(panel).toBeVisible();
    await expect(panel.getByTestId('why-progress')).toHaveCount(0, { timeout: 60_000 });
    await expect(panel.getByTestId('why-summary')).toContainText(intentLabel(intent));

    // The customer's view: plain tabs, the technical details closed.
    const technical = panel.getByTestId('why-technical-toggle');
    await expect(technical).toHaveAttribute('aria-expanded', 'false');
    await expect(panel.getByTestId('why-technical')).toBeHidden();
    for (const testId of CUSTOMER_TABS) {
      const tab = panel.getByTestId(testId);
      await tab.click();
      await expect(tab).toHaveAttribute('aria-selected', 'true');
      const tabPanel = panel.getByRole('tabpanel');
      await expect(tabPanel).toBeVisible();
      await expect(tabPanel.getByTestId('why-pending')).toHaveCount(0);
    }
    // Tabs follow the arrow keys.
    await panel.getByTestId('why-tab-words').focus();
    await page.keyboard.press('ArrowRight');
    await expect(panel.getByTestId('why-tab-alternatives')).toHaveAttribute('aria-selected', 'true');
    await expect(panel.getByTestId('why-tab-alternatives')).toBeFocused();

    // The technical details open from the keyboard, with their own tabs.
    await technical.focus();
    await page.keyboard.press('Enter');
    await expect(technical).toHaveAttribute('aria-expanded', 'true');
    const details = panel.getByTestId('why-technical');
    await expect(details).toBeVisible();
    for (const testId of TECHNICAL_TABS) {
      const tab = details.getByTestId(testId);
      await tab.click();
      await expect(tab).toHaveAttribute('aria-selected', 'true');
      const tabPanel = details.getByRole('tabpanel');
      await expect(tabPanel).toBeVisible();
      await expect(tabPanel.getByTestId('why-pending')).toHaveCount(0);
    }

    // Stored: the same objects. Compare LIME's words and scores with the rows the panel showed.
    const conversationId = await chat.conversationId();
    const rows = await waitForRows<{ method: string; payload: string }>(
      6,
      `SELECT e.method, e.payload FROM Explanation e JOIN Prediction p ON p.id = e.predictionId JOIN Message m ON m.id = p.messageId WHERE m.conversationId = ?`,
      conversationId,
    );
    // SHAP is stored when the panel's time budget fits it (reported as skipped otherwise).
    expect(rows.map((row) => row.method).filter((method) => method !== 'shap').sort()).toEqual(['attention', 'counterfactual', 'lime', 'occlusion', 'rollout', 'similar']);
    const stored = Object.fromEntries(rows.map((row) => [row.method, JSON.parse(row.payload) as Explanation]));
    const lime = stored.lime!;
    expect(lime.target.label).toBe(intent);
    expect(lime.words.map((w) => w.text)).toEqual(['my', 'new', 'card', 'still', 'has', 'not', 'arrived']);

    await details.getByTestId('why-tab-scores').click();
    await details.getByTestId('why-method-lime').check();
    const shown = await details.getByRole('tabpanel').locator('table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = tr.querySelectorAll('th, td');
        return [cells[0]?.textContent?.trim() ?? '', cells[cells.length - 1]?.textContent?.trim() ?? ''];
      }),
    );
    expect(shown).toEqual(lime.words.map((word, i) => [word.text, formatScore(lime.scores![i]!)]));

    const counterfactual = stored.counterfactual!;
    if (counterfactual.method === 'counterfactual' && counterfactual.extra.found) {
      await expect(panel.getByTestId('why-summary-counterfactual')).toContainText(intentLabel(String(counterfactual.extra.newLabel)));
    }
    expect(lime.faithfulness?.comprehensiveness.map((c) => c.k)).toHaveLength(4);
  });
});
