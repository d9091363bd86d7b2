#!/usr/bin/env node
// What one forward pass costs in onnxruntime-web's WebAssembly build (the browser's runtime,
// here run by Node, one thread), on the texts LIME evaluates for one message: ms per text and
// per token, and which operators take the time (onnxruntime's own profiler). This is the floor
// under LIME in the browser: no explainer code can make a pass cheaper.
//   node bench/explain/runtime-floor.mjs [--model public/models/banking77] [--samples 1000] [--reps 5] [--no-profile]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { AutoTokenizer, env } from '@huggingface/transformers';

const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const modelDir = path.resolve(arg('model', 'public/models/banking77'));
const samples = Number(arg('samples', '1000'));
const reps = Number(arg('reps', '5'));
const TEXT = 'I ordered a new card last week and it still has not arrived, can you tell me when it will come';

ort.env.wasm.numThreads = 1;
env.allowRemoteModels = false;
const tokenizer = await AutoTokenizer.from_pretrained(modelDir);

// LIME's perturbations of TEXT (seeded): each sample removes 1..n words, as lib/explain/lime.ts does.
let seed = 1;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const words = TEXT.split(' ');
const texts = new Set([TEXT]);
for (let i = 1; i < samples; i++) {
  const remove = 1 + Math.floor(random() * words.length);
  const order = words.map((_, j) => j).sort(() => random() - 0.5).slice(0, remove);
  texts.add(words.filter((_, j) => !order.includes(j)).join(' '));
}
const distinct = [...texts].sort((a, b) => a.length - b.length);
const batches = [];
let tokens = 0;
for (let s = 0; s < distinct.length; s += 64) {
  const encoded = tokenizer(distinct.slice(s, s + 64), { padding: true, truncation: true });
  tokens += encoded.input_ids.dims[0] * encoded.input_ids.dims[1];
  batches.push({
    input_ids: new ort.Tensor('int64', encoded.input_ids.data, encoded.input_ids.dims),
    attention_mask: new ort.Tensor('int64', encoded.attention_mask.data, encoded.attention_mask.dims),
  });
}

async function timeAll(session) {
  const times = [];
  for (let r = 0; r < reps; r++) {
    const started = performance.now();
    for (const feeds of batches) await session.run(feeds);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

const bytes = readFileSync(path.join(modelDir, 'onnx/model.onnx'));
const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
if (!args.includes('--profile-child')) {
  await timeAll(session);
  const times = await timeAll(session);
  const best = times[0];
  const median = times[Math.floor(times.length / 2)];
  console.log(`onnxruntime-web ${ort.env.versions?.web ?? ''} WebAssembly, 1 thread, Node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`${samples} LIME samples of a ${words.length}-word message: ${distinct.length} distinct texts, ${tokens} tokens in ${batches.length} batches (padded)`);
  console.log(`forward passes: best ${best.toFixed(0)} ms, median ${median.toFixed(0)} ms of ${reps} → ${(best / distinct.length).toFixed(3)} ms per text, ${((1000 * best) / tokens).toFixed(1)} µs per token`);
}

if (args.includes('--profile-child')) {
  // Run with profiling; onnxruntime-web writes its trace events to stdout, which the parent reads.
  const profiled = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], enableProfiling: true });
  for (const feeds of batches) await profiled.run(feeds);
  profiled.endProfiling();
} else if (!args.includes('--no-profile')) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args, '--profile-child'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const byOp = new Map();
  let total = 0;
  for (const line of child.stdout.split('\n')) {
    const match = line.match(/"dur" *:(\d+).*"name" *:"[^"]+_kernel_time".*"op_name" *: *"([^"]+)"/);
    if (!match) continue;
    byOp.set(match[2], (byOp.get(match[2]) ?? 0) + Number(match[1]));
    total += Number(match[1]);
  }
  if (total > 0) {
    console.log('\n| operator | share of kernel time |\n|:--|--:|');
    for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`| ${op} | ${((100 * us) / total).toFixed(1)} % |`);
  }
}
