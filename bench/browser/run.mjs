#!/usr/bin/env node
// bench/browser: the chat's model in headless Chromium, against the production build on
// loopback. Prints one table:
//   - page load → model ready, cold (empty cache) and cached (a reload);
//   - inference per message (batch 1) and per batch of 256, p50/p95, on WebAssembly and on
//     WebGPU (here a software adapter, labelled as such).
// Goals: ready ≤ 2 s cold / ≤ 0.5 s cached on localhost; WebAssembly batch-1 p50 ≤ 2 ms.
//   npm run bench:browser [-- --runs N]
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { percentile, printTable, root, startProductionServer } from '../support/server.mjs';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 200;
const batchRuns = Math.max(3, Math.round(runs / 20));

/** Realistic questions: the Banking77 training texts when they are beside the project. */
function questions() {
  const file = path.join(root, '../shared/datasets/banking77/train.csv');
  if (existsSync(file)) {
    return readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/,[^,]*$/, '').replace(/^"|"$/g, ''))
      .filter(Boolean)
      .slice(0, 512);
  }
  return ['where is my card', 'how do I top up', 'my transfer failed', 'I lost my card', 'what is the exchange rate'];
}

const browserArgs = ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

async function readyTime(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('glassdesk:model-ready').length > 0, null, { timeout: 120_000 });
  return page.evaluate(() => performance.getEntriesByName('glassdesk:model-ready')[0].startTime);
}

async function measureBackend(browser, baseUrl, device, texts) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cold = await readyTime(page, `${baseUrl}/?device=${device}&bench`);
  const cached = await readyTime(page, `${baseUrl}/?device=${device}&bench`);
  const backend = await page.evaluate(() => document.querySelector('[data-testid="backend"]')?.textContent ?? '');
  const timings = await page.evaluate(
    async ({ texts, runs, batchRuns }) => {
      const client = window.glassdeskBench;
      for (let i = 0; i < 20; i++) await client.classify(texts[i % texts.length]);
      const single = [];
      const singleRoundTrip = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const { latencyMs } = await client.classify(texts[i % texts.length]);
        singleRoundTrip.push(performance.now() - started);
        single.push(latencyMs);
      }
      const batch = texts.slice(0, 256);
      await client.predict(batch);
      const batched = [];
      for (let i = 0; i < batchRuns; i++) batched.push((await client.predict(batch)).latencyMs);
      return { single, singleRoundTrip, batched };
    },
    { texts, runs, batchRuns },
  );
  await context.close();
  return { device, backend, cold, cached, ...timings };
}

const server = await startProductionServer({ build: args.includes('--build') });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: browserArgs });
try {
  const texts = questions();
  const results = [];
  for (const device of ['wasm', 'webgpu']) results.push(await measureBackend(browser, server.url, device, texts));
  const ms = (value) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
  printTable(
    `bench/browser — headless Chromium, production build on loopback, ${runs} single runs, ${batchRuns} batch runs`,
    ['backend', 'ready cold', 'ready cached', 'batch 1 p50', 'batch 1 p95', 'batch 1 round trip p50', 'batch 256 p50', 'batch 256 p95', 'per text (256)'],
    results.map((r) => [
      r.backend.trim(),
      ms(r.cold),
      ms(r.cached),
      ms(percentile(r.single, 50)),
      ms(percentile(r.single, 95)),
      ms(percentile(r.singleRoundTrip, 50)),
      ms(percentile(r.batched, 50)),
      ms(percentile(r.batched, 95)),
      ms(percentile(r.batched, 50) / 256),
    ]),
  );
  const wasm = results[0];
  console.log(
    `\nGoals: ready cold ≤ 2000 ms (${ms(wasm.cold)}), cached ≤ 500 ms (${ms(wasm.cached)}), WebAssembly batch-1 p50 ≤ 2 ms (${ms(percentile(wasm.single, 50))}).`,
  );
} finally {
  await browser.close();
  await server.stop();
}
