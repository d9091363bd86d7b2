// What one forward pass costs in onnxruntime-web's WebAssembly build (the browser's runtime,
// here run by Node, one thread), on the texts LIME evaluates for one message: ms per text and
// per token, and which operators take the time (onnxruntime's own profiler). This is the floor
// under LIME in the browser: no explainer code can make a pass cheaper.
//   npx tsx bench/explain/runtime-floor.ts [--model public/models/banking77] [--samples 1000] [--reps 5] [--no-profile]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { limeMasks, textWithWords } from '@/lib/explain';
import { wordSpans } from '@/lib/model/spans';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const modelDir = path.resolve(arg('model', 'public/models/banking77'));
const samples = Number(arg('samples', '1000'));
const reps = Number(arg('reps', '5'));
const TEXT = 'I ordered a new card last week and it still has not arrived, can you tell me when it will come';

ort.env.wasm.numThreads = 1;
env.allowRemoteModels = false;
const tokenizer = await AutoTokenizer.from_pretrained(modelDir);

// LIME's own perturbations of TEXT (lib/explain/lime.ts), sorted by length as it batches them.
const words = wordSpans(TEXT, 'en');
const texts = new Set(limeMasks(words.length, samples, 1).map((mask) => textWithWords(TEXT, words, mask.map((kept) => kept === 1))));
const distinct = [...texts].sort((a, b) => a.length - b.length);
const batches: Record<string, ort.Tensor>[] = [];
let tokens = 0;
for (let s = 0; s < distinct.length; s += 64) {
  const encoded = tokenizer(distinct.slice(s, s + 64), { padding: true, truncation: true });
  tokens += encoded.input_ids.dims[0] * encoded.input_ids.dims[1];
  batches.push({
    input_ids: new ort.Tensor('int64', encoded.input_ids.data as BigInt64Array, encoded.input_ids.dims),
    attention_mask: new ort.Tensor('int64', encoded.attention_mask.data as BigInt64Array, encoded.attention_mask.dims),
  });
}

async function timeAll(session: ort.InferenceSession) {
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const started = performance.now();
    for (const feeds of batches) await session.run(feeds);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

const bytes = readFileSync(path.join(modelDir, 'onnx/model.onnx'));
if (args.includes('--profile-child')) {
  // onnxruntime-web writes its profile (trace events) to stdout, which the parent reads.
  const profiled = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], enableProfiling: true });
  for (const feeds of batches) await profiled.run(feeds);
  profiled.endProfiling();
} else {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  await timeAll(session);
  const times = await timeAll(session);
  const best = times[0];
  const median = times[Math.floor(times.length / 2)];
  console.log(`onnxruntime-web ${ort.env.versions?.web ?? ''} WebAssembly, 1 thread, Node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`${samples} LIME samples of a ${words.length}-word message: ${distinct.length} distinct texts, ${tokens} tokens in ${batches.length} batches (padded)`);
  console.log(`forward passes: best ${best.toFixed(0)} ms, median ${median.toFixed(0)} ms of ${reps} → ${(best / distinct.length).toFixed(3)} ms per text, ${((1000 * best) / tokens).toFixed(1)} µs per token`);
  if (!args.includes('--no-profile')) printOperatorShares();
}

function printOperatorShares() {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args, '--profile-child'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const byOp = new Map<string, number>();
  let total = 0;
  for (const line of child.stdout.split('\n')) {
    const match = line.match(/"dur" *:(\d+).*"name" *:"[^"]+_kernel_time".*"op_name" *: *"([^"]+)"/);
    if (!match) continue;
    byOp.set(match[2], (byOp.get(match[2]) ?? 0) + Number(match[1]));
    total += Number(match[1]);
  }
  if (total === 0) return;
  console.log('\n| operator | share of kernel time |\n|:--|--:|');
  for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`| ${op} | ${((100 * us) / total).toFixed(1)} % |`);
}
