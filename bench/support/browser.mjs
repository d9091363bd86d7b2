// Headless Chromium for the benchmarks: each measured variant gets its own fresh profile on
// disk, as a first-time visitor's browser would be (an in-memory incognito context keeps no
// compiled-code cache, so it would understate a returning visitor's load).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { root } from './server.mjs';

export const browserArgs = ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** A Chromium with a new, empty profile; `close()` ends it and deletes the profile. */
export async function launchFreshProfile() {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: browserArgs,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens `url` and returns when the model became usable, in ms since navigation started (the page's own clock). */
export async function modelReadyTime(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('glassdesk:model-ready').length > 0, null, { timeout: 120_000 });
  return page.evaluate(() => performance.getEntriesByName('glassdesk:model-ready')[0].startTime);
}

/** Realistic questions: the Banking77 training texts when they are beside the project. */
export function benchQuestions(limit = 512) {
  const file = process.env.BANKING77_CSV ?? path.join(root, '../shared/datasets/banking77/train.csv');
  if (existsSync(file)) {
    return readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/,[^,]*$/, '').replace(/^"|"$/g, ''))
      .filter(Boolean)
      .slice(0, limit);
  }
  return ['where is my card', 'how do I top up', 'my transfer failed', 'I lost my card', 'what is the exchange rate'];
}

/** The load average now, for the printed tables (timings on a shared machine are noisy). */
export function loadAverage() {
  return os.loadavg().map((x) => x.toFixed(2)).join(' ');
}
