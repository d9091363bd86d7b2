// The browser half of bench/explain: the same explainers in the chat's inference worker, in
// headless Chromium on WebAssembly, against the production build on loopback.
//   - LIME time against samples, through the worker's `explain` with only LIME asked for;
//   - the whole "Why this answer?" panel: from the reply showing in the chat to the panel
//     being ready, as a visitor sees it.
// Each page variant runs in a fresh browser profile; `query` selects the runtime tuning
// (lib/chat/protocol.ts `tuningFrom`), so a baseline can be measured in the same run.
import type { Page } from '@playwright/test';

import { launchFreshProfile, modelReadyTime } from '../support/browser.mjs';
import { startProductionServer } from '../support/server.mjs';

export interface BrowserVariant {
  name: string;
  /** Extra query parameters for the chat page (empty: the defaults). */
  query: string;
  /** LIME's batch size (default: LIME's own). */
  limeBatchSize?: number;
}

export interface BrowserLimeRun {
  samples: number;
  text: string;
  /** Best of the repetitions, as LIME itself timed it in the worker. */
  ms: number;
  distinct: number;
  passes: number;
}

export interface BrowserPanelRun {
  text: string;
  /** From the reply appearing in the chat to the panel's data-status becoming "ready". */
  ms: number;
  /** LIME's samples as the panel states them (its time budget may stop it before 1,000). */
  limeSamples: number | null;
}

export interface BrowserVariantResult {
  variant: BrowserVariant;
  backend: string;
  lime: BrowserLimeRun[];
  panel: BrowserPanelRun[];
}

type BenchClient = {
  explain(
    text: string,
    options: { overrides: { methods: string[]; lime: { samples: number; seed: number; timeBudgetMs: null; batchSize?: number }; faithfulness: boolean } },
  ): Promise<{ explanations: { timing: { ms: number; forwardPasses: number }; extra: { distinctTexts?: number } }[] }>;
};

async function limeInPage(page: Page, texts: string[], counts: number[], reps: number, batchSize?: number): Promise<BrowserLimeRun[]> {
  return page.evaluate(
    async ({ texts, counts, reps, batchSize }) => {
      const client = (window as unknown as { glassdeskBench: BenchClient }).glassdeskBench;
      const lime = (text: string, samples: number) =>
        client.explain(text, { overrides: { methods: ['lime'], lime: { samples, seed: 1, timeBudgetMs: null, ...(batchSize ? { batchSize } : {}) }, faithfulness: false } });
      await lime(texts[0], 200); // warm-up
      const out: BrowserLimeRun[] = [];
      for (const samples of counts) {
        for (const text of texts) {
          let best: BrowserLimeRun | null = null;
          for (let r = 0; r < reps; r++) {
            const [e] = (await lime(text, samples)).explanations;
            if (!best || e.timing.ms < best.ms) best = { samples, text, ms: e.timing.ms, distinct: e.extra.distinctTexts ?? 0, passes: e.timing.forwardPasses };
          }
          out.push(best!);
        }
      }
      return out;
    },
    { texts, counts, reps, batchSize },
  );
}

/** Asks `text` in the chat and times reply → panel ready, on the page's clock. */
async function panelInPage(page: Page, text: string): Promise<BrowserPanelRun | null> {
  const input = page.getByTestId('chat-input');
  await page.waitForFunction(() => !(document.querySelector('[data-testid="chat-input"]') as HTMLTextAreaElement | null)?.disabled);
  const timing = page.evaluate(
    () =>
      new Promise<{ ms: number; limeSamples: number | null } | null>((resolve) => {
        const replies = () => document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
        const before = replies().length;
        let replyAt = 0;
        const check = () => {
          const all = replies();
          if (all.length <= before) return;
          const reply = all[all.length - 1] as HTMLElement;
          if (!replyAt) replyAt = performance.now();
          const toggle = reply.querySelector<HTMLButtonElement>('[data-testid="why-toggle"]');
          if (toggle && toggle.getAttribute('aria-expanded') !== 'true') toggle.click();
          const panel = reply.querySelector('[data-testid="why-panel"]');
          const status = panel?.getAttribute('data-status');
          if (status === 'ready' || status === 'failed') {
            observer.disconnect();
            clearTimeout(timeout);
            const ms = performance.now() - replyAt;
            const stated = panel?.querySelector('[data-testid="method-details"]')?.textContent?.match(/^([\d,]+) perturbed texts/);
            resolve(status === 'ready' ? { ms, limeSamples: stated ? Number(stated[1].replace(/,/g, '')) : null } : null);
          }
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'aria-expanded'] });
        const timeout = setTimeout(() => {
          observer.disconnect();
          resolve(null);
        }, 60_000);
      }),
  );
  await input.fill(text);
  await input.press('Enter');
  const result = await timing;
  return result === null ? null : { text, ...result };
}

/** Runs every variant in its own fresh profile against one production server. */
export async function browserExplainBench(options: {
  variants: BrowserVariant[];
  limeTexts: string[];
  counts: number[];
  reps: number;
  panelTexts: string[];
  build?: boolean;
}): Promise<BrowserVariantResult[]> {
  const server = await startProductionServer({ build: options.build });
  try {
    const results: BrowserVariantResult[] = [];
    for (const variant of options.variants) {
      const browser = await launchFreshProfile();
      // tsx compiles the functions passed to page.evaluate with esbuild's keep-names helper.
      await browser.page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
      try {
        await modelReadyTime(browser.page, `${server.url}/?device=wasm&bench${variant.query ? `&${variant.query}` : ''}`);
        const backend = (await browser.page.getByTestId('backend').getAttribute('data-backend')) ?? '';
        const lime = options.limeTexts.length ? await limeInPage(browser.page, options.limeTexts, options.counts, options.reps, variant.limeBatchSize) : [];
        process.stderr.write(`  browser lime (${variant.name}) done\n`);
        const panel: BrowserPanelRun[] = [];
        for (const text of options.panelTexts) {
          const run = await panelInPage(browser.page, text);
          if (run) panel.push(run);
        }
        process.stderr.write(`  browser panel (${variant.name}) done\n`);
        results.push({ variant, backend, lime, panel });
      } finally {
        await browser.close();
      }
    }
    return results;
  } finally {
    server.stop();
  }
}
