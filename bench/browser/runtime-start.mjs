#!/usr/bin/env node
// How long onnxruntime-web takes to start in Chromium, apart from the app: a bare page whose
// worker imports the runtime, fetches the model and creates two sessions, on a first visit and
// on reloads after the page stayed open (compiled code cached). Phases per visit:
// instantiate (.wasm from the HTTP cache, compiled code reused), first session (the runtime's
// initialisation + this model's session), second session (the model's session alone), first
// and second pass (batch 1).
//   node bench/browser/runtime-start.mjs [--model public/models/banking77] [--visits 4] [--idle-ms 3000]
import { copyFileSync, mkdtempSync, rmSync, writeFileSync, createReadStream, existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { launchFreshProfile } from '../support/browser.mjs';
import { root } from '../support/server.mjs';
import { freePort } from '../../tests/support/net.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const modelDir = path.resolve(arg('model', 'public/models/banking77'));
const visits = Number(arg('visits', '4'));
const idleMs = Number(arg('idle-ms', '3000'));

const dir = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-runtime-start-'));
const dist = path.join(root, 'node_modules/onnxruntime-web/dist');
for (const file of ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) copyFileSync(path.join(dist, file), path.join(dir, file));
copyFileSync(path.join(modelDir, 'onnx/model.onnx'), path.join(dir, 'model.onnx'));
writeFileSync(
  path.join(dir, 'worker.js'),
  `const marks = [['worker', performance.now()]];
const mark = (name) => marks.push([name, performance.now()]);
const instantiate = WebAssembly.instantiateStreaming;
WebAssembly.instantiateStreaming = async (source, imports) => { mark('runtime code fetched'); const r = await instantiate(source, imports); mark('instantiate'); return r; };
const ort = await import('./ort.wasm.min.mjs');
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = { wasm: new URL('./ort-wasm-simd-threaded.wasm', location.href).href, mjs: new URL('./ort-wasm-simd-threaded.mjs', location.href).href };
const model = await fetch('./model.onnx').then((r) => r.arrayBuffer());
mark('model fetched');
const first = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
mark('first session');
await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
mark('second session');
const feeds = { input_ids: new ort.Tensor('int64', new BigInt64Array(8).fill(5n), [1, 8]), attention_mask: new ort.Tensor('int64', new BigInt64Array(8).fill(1n), [1, 8]) };
await first.run(feeds);
mark('first pass');
await first.run(feeds);
mark('second pass');
postMessage(marks);
`,
);
writeFileSync(path.join(dir, 'index.html'), `<!doctype html><script type="module">const w = new Worker('./worker.js', { type: 'module' }); w.onmessage = (e) => { window.result = e.data; };</script>`);

const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const server = http.createServer((req, res) => {
  const file = path.join(dir, path.basename(new URL(req.url, 'http://x').pathname));
  if (!existsSync(file)) return res.writeHead(404).end();
  res.writeHead(200, {
    'content-type': types[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': 'public, max-age=31536000, immutable',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  createReadStream(file).pipe(res);
});
const port = await freePort();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const browser = await launchFreshProfile();
try {
  const rows = [];
  for (let visit = 0; visit < visits; visit++) {
    if (visit > 0) await browser.page.waitForTimeout(idleMs);
    await browser.page.goto(`http://127.0.0.1:${port}/index.html`);
    await browser.page.waitForFunction(() => window.result, null, { timeout: 120_000 });
    const marks = await browser.page.evaluate(() => window.result);
    rows.push([visit === 0 ? 'first visit' : `reload ${visit}`, ...marks.slice(1).map(([, at], i) => `${(at - marks[i][1]).toFixed(0)} ms`)]);
    if (visit === 0) rows.unshift(['visit', ...marks.slice(1).map(([name]) => name)]);
  }
  const [headers, ...body] = rows;
  console.log(`onnxruntime-web in a bare page, headless Chromium, 1 thread, ${idleMs} ms open before each reload; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  console.log(`| ${headers.join(' | ')} |\n|${headers.map((_, i) => (i ? '--:' : ':--')).join('|')}|`);
  for (const row of body) console.log(`| ${row.join(' | ')} |`);
} finally {
  await browser.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
