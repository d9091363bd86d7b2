#!/usr/bin/env node
// bench/browser: the chat's model in headless Chromium, against the production build on
// loopback. Prints one table, one row per variant, each in a fresh browser profile:
//   - page load → model ready, cold (empty profile) and cached (a reload in the same profile
//     after the first visit stayed open --idle-ms, default 5 s; and a reload at once);
//   - inference per message (batch 1) and per batch of 256, p50/p95.
// The first row is the baseline the others are compared with (ratio columns): loading as it
// was before (asyncify build kept in the Cache API, compressed by the server on every request,
// files fetched one after another). Then the default ("now"), the default
// with each change turned back in turn, and WebGPU (here a software adapter, labelled as such).
// Goals: ready ≤ 2 s cold / ≤ 0.5 s cached on localhost; WebAssembly batch-1 p50 ≤ 2 ms.
//   npm run bench:browser [-- --runs N] [-- --batch-runs N] [-- --idle-ms N] [-- --build] [-- --quick | --only 0,1,…]
//   (--quick: before, now and WebGPU; --only: rows of VARIANTS by index, the first as the baseline)
import { benchQuestions, launchFreshProfile, loadAverage, modelReadyTime } from '../support/browser.mjs';
import { percentile, printTable, startProductionServer } from '../support/server.mjs';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 200;
const idleMs = args.includes('--idle-ms') ? Number(args[args.indexOf('--idle-ms') + 1]) : 5000;
const batchRuns = args.includes('--batch-runs') ? Number(args[args.indexOf('--batch-runs') + 1]) : Math.max(3, Math.round(runs / 20));

// Query parameters read by lib/chat/protocol.ts `tuningFrom` (only with `bench`). The baseline
// is the loading as it was; "now" is the default; each "now without …" row turns one change back.
const BEFORE = { ort: 'asyncify', 'wasm-source': 'cache-api', compression: 'live', prefetch: '0', 'early-runtime': '0' };
const CHANGES = [
  ['ort', 'plain runtime for WebAssembly'],
  ['wasm-source', 'runtime from the HTTP cache (compiled code reused)'],
  ['compression', 'runtime compressed at install'],
  ['prefetch', 'files fetched in parallel'],
  ['early-runtime', 'runtime started while files load'],
];
const query = (params) => new URLSearchParams(params).toString();
const VARIANTS = [
  { name: 'before', device: 'wasm', query: query(BEFORE), baseline: true },
  { name: 'now', device: 'wasm', query: '', current: true },
  ...CHANGES.map(([key, change]) => ({ name: `now without ${change}`, device: 'wasm', query: query({ [key]: BEFORE[key] }) })),
  { name: 'now, WebGPU', device: 'webgpu', query: '' },
  // Cross-origin isolated pages can give onnxruntime-web threads (lib/chat/protocol.ts `threads`).
  { name: 'now, 2 WebAssembly threads', device: 'wasm', query: query({ threads: '2' }) },
];
// --only 0,1,7: the rows to run, by their index above (the first one listed is the baseline).
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',').map(Number) : null;
const variants = only
  ? only.map((i, n) => ({ ...VARIANTS[i], baseline: n === 0 }))
  : args.includes('--quick')
    ? VARIANTS.filter((v) => v.baseline || v.current || v.device === 'webgpu')
    : VARIANTS;

async function measure(baseUrl, variant, texts) {
  const browser = await launchFreshProfile();
  try {
    const url = `${baseUrl}/?device=${variant.device}&bench${variant.query ? `&${variant.query}` : ''}`;
    const cold = await modelReadyTime(browser.page, url);
    // A reload the moment the model is ready, and one after the page stayed open a while:
    // Chromium writes the runtime's optimised WebAssembly code to its cache only after the
    // hot functions are optimised or a timeout (~2 s) passes, so only the second is a
    // returning visitor (who left the first visit open longer than that).
    const reloadAtOnce = await modelReadyTime(browser.page, url);
    await browser.page.waitForTimeout(idleMs);
    const cached = await modelReadyTime(browser.page, url);
    const backend = await browser.page.evaluate(() => document.querySelector('[data-testid="backend"]')?.textContent ?? '');
    const timings = await browser.page.evaluate(
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
        const batched = [];
        if (batchRuns > 0) await client.predict(batch);
        for (let i = 0; i < batchRuns; i++) batched.push((await client.predict(batch)).latencyMs);
        return { single, singleRoundTrip, batched };
      },
      { texts, runs, batchRuns },
    );
    return { ...variant, backend: backend.trim(), cold, reloadAtOnce, cached, ...timings };
  } finally {
    await browser.close();
  }
}

const server = await startProductionServer({ build: args.includes('--build') });
try {
  const texts = benchQuestions();
  const loadBefore = loadAverage();
  const results = [];
  for (const variant of variants) {
    results.push(await measure(server.url, variant, texts));
    process.stderr.write(`  ${variant.name} done\n`);
  }
  const ms = (value) => (Number.isFinite(value) ? `${value.toFixed(value < 10 ? 2 : 0)} ms` : "–");
  const base = results.find((r) => r.baseline);
  const ratio = (value, baseValue) => (base ? `${(value / baseValue).toFixed(2)}×` : '–');
  const p50 = (values) => percentile(values, 50);
  printTable(
    `bench/browser — headless Chromium (fresh profile per row), production build on loopback, ${runs} single runs, ${batchRuns} batch runs; load average ${loadBefore} before, ${loadAverage()} after`,
    ['variant', 'backend', 'ready cold', '×', 'ready cached', '×', 'reload at once', 'batch 1 p50', '×', 'batch 1 p95', 'round trip p50', 'batch 256 p50', '×', 'batch 256 p95'],
    results.map((r) => [
      r.name,
      r.backend,
      ms(r.cold),
      ratio(r.cold, base.cold),
      ms(r.cached),
      ratio(r.cached, base.cached),
      ms(r.reloadAtOnce),
      ms(p50(r.single)),
      ratio(p50(r.single), p50(base.single)),
      ms(percentile(r.single, 95)),
      ms(p50(r.singleRoundTrip)),
      ms(p50(r.batched)),
      ratio(p50(r.batched), p50(base.batched)),
      ms(percentile(r.batched, 95)),
    ]),
  );
  const now = results.find((r) => r.current) ?? results[0];
  console.log(
    `\nGoals (WebAssembly, "${now.name}"): ready cold ≤ 2000 ms (${ms(now.cold)}), cached ≤ 500 ms (${ms(now.cached)}), batch-1 p50 ≤ 2 ms (${ms(p50(now.single))}). × = ratio to the first row.`,
  );
} finally {
  await server.stop();
}
