// Explainer benchmark on the demo model in Node (CPU backend) and in the browser (headless
// Chromium, the chat's inference worker on WebAssembly, production build on loopback):
//   1. LIME time against the number of samples, in Node and in the browser (the browser's
//      runtime as it was before — the asyncify build from the Cache API — as the baseline);
//   1b. the whole panel: explainAll in Node, and reply → "Why this answer?" ready in the browser;
//   1c. SHAP time against the number of samples in Node, beside LIME's;
//   2. LIME and SHAP stability: mean top-3 word overlap between 10 seeds at 1,000 samples (and
//      at the fewer samples the panel's time budget can leave them: --stability-samples), over
//      messages of ≥ 3 words and over those of more than 10 (where SHAP samples instead of
//      enumerating every coalition);
//   3. faithfulness (ERASER comprehensiveness / sufficiency, deletion AUC) of attention,
//      rollout, LIME, SHAP and occlusion, with random scores as the floor, over held-out utterances.
// Held-out = the demo model's own test split of Banking77's train.csv (recomputed with the
// training pipeline's stratified split and the seed in the model card; read in place, never copied).
//
//   npx tsx bench/explain/run.ts [--n 300] [--timing-messages 12] [--reps 3] [--stability-messages 30] [--model public/models/banking77]
//                                [--sections lime,shap,panel,stability,faithfulness] [--no-browser] [--browser-reps 3] [--build]
//                                [--stability-samples 1000,500,300]
//                                [--counts 100,250,500,1000,2000,5000] [--browser-variants 'name=query;…']
// The browser half needs the production build (`next build`, or --build) and serves the
// model in public/models/banking77 whatever --model says.
// Timings are the best of --reps runs per message (fresh cache each run); CPU ms counts every
// thread of this process (onnxruntime's included), which shows our own cost on a busy machine.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  attentionExplainer,
  cachedPredict,
  explainAll,
  evaluateFaithfulness,
  limeExplainer,
  occlusionExplainer,
  rolloutExplainer,
  shapExplainer,
  createRng,
  type ExplainInput,
  type Explanation,
} from '@/lib/explain';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir, readSimilarIndex } from '@/lib/model/node';
import { wordSpans } from '@/lib/model/spans';

import { banking77Csv } from '../support/dataset.mjs';
import { browserExplainBench, type BrowserVariant, type BrowserVariantResult } from './browser';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const DATA = process.env.BANKING77_CSV ?? path.resolve(REPO, '../shared/datasets/banking77/train.csv');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const N = Number(arg('n', '300'));
const TIMING_MESSAGES = Number(arg('timing-messages', '12'));
const REPS = Number(arg('reps', '3'));
const STABILITY_MESSAGES = Number(arg('stability-messages', '30'));
const MODEL_DIR = path.resolve(REPO, arg('model', 'public/models/banking77'));
const SECTIONS = new Set(arg('sections', 'lime,shap,panel,stability,faithfulness').split(','));
const BROWSER = !process.argv.includes('--no-browser');
const BROWSER_REPS = Number(arg('browser-reps', String(REPS)));
const LIME_COUNTS = arg('counts', '100,250,500,1000,2000,5000').split(',').map(Number);
const STABILITY_SAMPLES = arg('stability-samples', '1000,500,300').split(',').map(Number);
/**
 * The page variants the browser half measures, the baseline first: `--browser-variants
 * 'name=query;name=query'`, where the query is the chat page's runtime tuning
 * (lib/chat/protocol.ts `tuningFrom`) plus `lime-batch=N` for LIME's batch size.
 */
const BROWSER_VARIANTS: BrowserVariant[] = arg('browser-variants', 'before=ort=asyncify&wasm-source=cache-api&compression=live&prefetch=0;now=')
  .split(';')
  .map((v) => {
    const [name, ...query] = v.split('=');
    const params = new URLSearchParams(query.join('='));
    const limeBatchSize = Number(params.get('lime-batch')) || undefined;
    params.delete('lime-batch');
    return { name, query: params.toString(), limeBatchSize };
  });
const SAMPLE_SEED = 77;
/** Ensemble members stacked in the model's attentions (config.json `ensemble_members`). */
const MEMBERS = existsSync(path.join(MODEL_DIR, 'config.json')) ? Number(JSON.parse(readFileSync(path.join(MODEL_DIR, 'config.json'), 'utf8')).ensemble_members ?? 1) : 1;

interface Row {
  text: string;
  label: string;
}

/** The model's held-out test rows that come from train.csv, via the pipeline's own split code. */
function heldOut(): Row[] {
  const card = JSON.parse(readFileSync(path.join(MODEL_DIR, 'model-card.json'), 'utf8'));
  const split = card.training?.split ?? {};
  const extra = (card.training?.data ?? []).slice(1).map((f: string) => path.resolve(REPO, f));
  const code = [
    'import json, sys',
    'from training import data as D',
    'files = json.loads(sys.argv[1]); frac = float(sys.argv[2]); seed = int(sys.argv[3])',
    'texts, labels = D.read_many(files)',
    'first = len(D.read_examples(files[0])[0])',
    'rest, held = D.stratified_split(labels, frac, seed)',
    'print(json.dumps({"held": len(held), "rows": [[texts[i], labels[i]] for i in held if i < first]}))',
  ].join('\n');
  const total = Number(card.training?.rows ?? 0);
  const frac = total && split.test ? split.test / total : 0.1;
  const r = spawnSync(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-c', code, JSON.stringify([banking77Csv(DATA, 'BANKING77_CSV=FILE'), ...extra]), String(Math.round(frac * 1000) / 1000), String(split.seed ?? 13)], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`could not recompute the held-out split: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { held: number; rows: [string, string][] };
  if (split.test && out.held !== split.test) throw new Error(`held-out split has ${out.held} rows, the model card says ${split.test}`);
  return out.rows.map(([text, label]) => ({ text, label }));
}

function sample<T>(xs: T[], k: number, seed: number): T[] {
  const rng = createRng(seed);
  return rng.choose(xs.length, Math.min(k, xs.length)).map((i) => xs[i]);
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: string[]) => '| ' + r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join(' | ') + ' |';
  return [line(cells[0]), '|' + widths.map((w, c) => (c === 0 ? ':' : '-') + '-'.repeat(w) + (c === 0 ? '-' : ':')).join('|') + '|', ...cells.slice(1).map(line)].join('\n');
}

async function inputOf(model: IntentModel, text: string, withAnalysis: boolean): Promise<ExplainInput> {
  const analysis = withAnalysis ? await model.analyse(text) : undefined;
  const [p] = analysis ? [analysis.probabilities] : await model.predict([text]);
  return { text, words: analysis?.words ?? wordSpans(text, model.locale), predict: model.predict, labels: model.labels, target: p.indexOf(Math.max(...p)), analysis };
}

function topK(scores: number[], k: number): number[] {
  return scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k).map(([, i]) => i);
}

/** The two sampling explainers the benchmark times and checks for stability. */
const SAMPLERS = { lime: limeExplainer, shap: shapExplainer } as const;
type Sampler = keyof typeof SAMPLERS;

/** Wall and CPU ms of one LIME or SHAP run with a fresh cache: the best of `reps` runs (the machine is shared). */
async function timeSampler(method: Sampler, input: ExplainInput, samples: number, reps: number) {
  let best = { wall: Infinity, cpu: Infinity, distinct: 0, passes: 0, exact: false };
  for (let r = 0; r < reps; r++) {
    const cpu0 = process.cpuUsage();
    const e = await SAMPLERS[method].explain(input, { samples, seed: 1, timeBudgetMs: null });
    const cpu = process.cpuUsage(cpu0);
    const exact = e.method === 'shap' && e.extra.exact === true;
    if (e.timing.ms < best.wall) best = { wall: e.timing.ms, cpu: (cpu.user + cpu.system) / 1000, distinct: e.extra.distinctTexts as number, passes: e.timing.forwardPasses, exact };
  }
  return best;
}

async function samplerTiming(method: Sampler, model: IntentModel, rows: Row[]) {
  const counts = LIME_COUNTS;
  const inputs = await Promise.all(rows.map((r) => inputOf(model, r.text, false)));
  await SAMPLERS[method].explain(inputs[0], { samples: 200, timeBudgetMs: null }); // warm-up
  const out: (string | number)[][] = [];
  let perText: number[] = [];
  for (const samples of counts) {
    const runs = [];
    for (const input of inputs) runs.push(await timeSampler(method, input, samples, REPS));
    const wall = runs.map((r) => r.wall);
    const cpu = runs.map((r) => r.cpu);
    perText = perText.concat(runs.map((r) => r.wall / r.distinct));
    const row = [samples, quantile(wall, 0.5).toFixed(0), mean(wall).toFixed(0), quantile(wall, 0.9).toFixed(0), quantile(cpu, 0.5).toFixed(0), mean(runs.map((r) => r.distinct)).toFixed(0), mean(runs.map((r) => r.passes)).toFixed(1)];
    if (method === 'shap') row.push(`${runs.filter((r) => r.exact).length} / ${runs.length}`);
    out.push(row);
    process.stderr.write(`  ${method} ${samples} samples done\n`);
  }
  return { rows: out, words: mean(inputs.map((i) => i.words.length)), msPerText: quantile(perText, 0.5) };
}

async function stability(model: IntentModel, rows: Row[], samples: number, method: Sampler) {
  const perMessage: number[] = [];
  for (const r of rows) {
    const input = await inputOf(model, r.text, false);
    // The model is deterministic: one cache per message across seeds changes no result.
    const shared = cachedPredict(input.predict, 64);
    const tops: number[][] = [];
    for (let seed = 0; seed < 10; seed++) {
      const e = await SAMPLERS[method].explain({ ...input, predict: shared.predict }, { samples, seed, timeBudgetMs: null });
      tops.push(topK(e.scores!, 3));
    }
    const k = Math.min(3, input.words.length);
    const overlaps: number[] = [];
    for (let a = 0; a < tops.length; a++) for (let b = a + 1; b < tops.length; b++) overlaps.push(tops[a].filter((i) => tops[b].includes(i)).length / k);
    perMessage.push(mean(overlaps));
  }
  return {
    mean: mean(perMessage),
    min: Math.min(...perMessage),
    atLeast09: perMessage.filter((x) => x >= 0.9).length / perMessage.length,
    atLeast095: perMessage.filter((x) => x >= 0.95).length / perMessage.length,
  };
}

/** The whole panel: explainAll (every method + faithfulness) on one message, fresh cache, best of REPS. */
async function panelTiming(model: IntentModel, rows: Row[], similar: ExplainInput['similar']) {
  const wall: number[] = [];
  const passes: number[] = [];
  for (const r of rows) {
    const input = { ...(await inputOf(model, r.text, true)), similar };
    let best = Infinity;
    let bestPasses = 0;
    for (let rep = 0; rep < REPS; rep++) {
      const t = performance.now();
      const all = await explainAll(input, { ensembleMembers: MEMBERS });
      const ms = performance.now() - t;
      if (ms < best) {
        best = ms;
        bestPasses = all.reduce((s, e) => s + e.timing.forwardPasses, 0);
      }
    }
    wall.push(best);
    passes.push(bestPasses);
  }
  return { median: quantile(wall, 0.5), p90: quantile(wall, 0.9), passes: mean(passes) };
}

const METHODS = ['random', 'attention', 'rollout', 'occlusion', 'lime', 'shap'] as const;
type M = (typeof METHODS)[number];

async function faithfulness(model: IntentModel, rows: Row[]) {
  const acc: Record<M, { comp: number[]; suff: number[]; auc: number[]; ms: number[] }> = Object.fromEntries(
    METHODS.map((m) => [m, { comp: [], suff: [], auc: [], ms: [] }]),
  ) as never;
  const wins: Record<M, number> = Object.fromEntries(METHODS.map((m) => [m, 0])) as Record<M, number>;
  let correct = 0;
  const rng = createRng(SAMPLE_SEED + 1);
  for (const [n, r] of rows.entries()) {
    const base = await inputOf(model, r.text, true);
    if (model.labels[base.target] === r.label) correct++;
    const shared = cachedPredict(model.predict, 64);
    shared.prime(r.text, base.analysis!.probabilities);
    const input = { ...base, predict: shared.predict };
    const results: Partial<Record<M, { scores: number[]; ms: number }>> = {
      random: { scores: input.words.map(() => rng.next()), ms: 0 },
    };
    for (const [m, ex] of [['attention', attentionExplainer], ['rollout', rolloutExplainer], ['occlusion', occlusionExplainer], ['lime', limeExplainer], ['shap', shapExplainer]] as const) {
      const e: Explanation = await ex.explain(input, m === 'lime' || m === 'shap' ? { seed: 0, timeBudgetMs: null } : m === 'attention' || m === 'rollout' ? { members: MEMBERS } : {});
      results[m] = { scores: e.scores!, ms: e.timing.ms };
    }
    let best: M = 'random';
    let bestComp = -Infinity;
    for (const m of METHODS) {
      const f = await evaluateFaithfulness(input, results[m]!.scores, shared.predict);
      acc[m].comp.push(f.meanComprehensiveness);
      acc[m].suff.push(f.meanSufficiency);
      acc[m].auc.push(f.deletionAuc);
      acc[m].ms.push(results[m]!.ms);
      if (m !== 'random' && f.meanComprehensiveness > bestComp) {
        bestComp = f.meanComprehensiveness;
        best = m;
      }
    }
    wins[best]++;
    if ((n + 1) % 50 === 0) process.stderr.write(`  faithfulness ${n + 1}/${rows.length}\n`);
  }
  return {
    accuracy: correct / rows.length,
    rows: METHODS.map((m) => [m, mean(acc[m].comp).toFixed(3), mean(acc[m].suff).toFixed(3), mean(acc[m].auc).toFixed(3), m === 'random' ? '–' : `${((100 * wins[m]) / rows.length).toFixed(0)} %`, m === 'random' ? '–' : mean(acc[m].ms).toFixed(1)]),
  };
}

/** The browser tables: LIME against samples per variant (× against the first), and reply → panel ready. */
function printBrowser(results: BrowserVariantResult[], limeMessages: number, panelMessages: number) {
  const [base] = results;
  const at = (r: BrowserVariantResult, samples: number) => r.lime.filter((x) => x.samples === samples);
  if (results.some((r) => r.lime.length)) {
    console.log(
      `## LIME time against samples in the browser (${results.map((r) => `${r.variant.name}: ${r.backend}`).join('; ')}; ${limeMessages} messages, no time budget, best of ${BROWSER_REPS}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})`,
    );
    const headers = ['samples'];
    for (const r of results) headers.push(`${r.variant.name} median ms`, `${r.variant.name} p90 ms`, ...(r === base ? [] : ['×']));
    headers.push('distinct texts');
    const rows = LIME_COUNTS.map((samples) => {
      const row: (string | number)[] = [samples];
      const baseMedian = quantile(at(base, samples).map((x) => x.ms), 0.5);
      for (const r of results) {
        const ms = at(r, samples).map((x) => x.ms);
        row.push(quantile(ms, 0.5).toFixed(0), quantile(ms, 0.9).toFixed(0), ...(r === base ? [] : [`${(quantile(ms, 0.5) / baseMedian).toFixed(2)}×`]));
      }
      row.push(mean(at(results[results.length - 1], samples).map((x) => x.distinct)).toFixed(0));
      return row;
    });
    console.log(table(headers, rows));
    const now = at(results[results.length - 1], 1000).map((x) => x.ms);
    console.log(`goal: 1,000 samples ≤ 250 ms in the browser on WebAssembly — median ${quantile(now, 0.5).toFixed(0)} ms, p90 ${quantile(now, 0.9).toFixed(0)} ms: ${quantile(now, 0.9) <= 250 ? 'met' : quantile(now, 0.5) <= 250 ? 'met at the median' : 'NOT met'}\n`);
  }
  if (results.some((r) => r.panel.length)) {
    console.log(`## "Why this answer?" in the browser: from the reply showing to the panel ready (${panelMessages} messages asked in the chat, WebAssembly)`);
    const baseMedian = quantile(base.panel.map((x) => x.ms), 0.5);
    console.log(
      table(
        ['variant', 'median ms', 'p90 ms', 'max ms', '×', 'panels', 'LIME samples (min / median)'],
        results.map((r) => {
          const ms = r.panel.map((x) => x.ms);
          const samples = r.panel.map((x) => x.limeSamples).filter((x): x is number => x !== null);
          const samplesCell = samples.length ? `${Math.min(...samples)} / ${quantile(samples, 0.5).toFixed(0)}` : '–';
          return [r.variant.name, quantile(ms, 0.5).toFixed(0), quantile(ms, 0.9).toFixed(0), Math.max(...ms).toFixed(0), `${(quantile(ms, 0.5) / baseMedian).toFixed(2)}×`, ms.length, samplesCell];
        }),
      ),
    );
    const now = results[results.length - 1].panel.map((x) => x.ms);
    console.log(`goal: panel ready ≤ 500 ms after the reply — median ${quantile(now, 0.5).toFixed(0)} ms, p90 ${quantile(now, 0.9).toFixed(0)} ms: ${quantile(now, 0.9) <= 500 ? 'met' : quantile(now, 0.5) <= 500 ? 'met at the median' : 'NOT met'}\n`);
  }
}

const inputsLabel = (words: number) => `${TIMING_MESSAGES} messages, mean ${words.toFixed(1)} words`;

async function main() {
  if (!existsSync(path.join(MODEL_DIR, 'config.json'))) throw new Error(`${MODEL_DIR} has no config.json: export the demo model first`);
  const t0 = performance.now();
  const model = await loadModelFromDir(MODEL_DIR);
  const held = heldOut();
  const rows = sample(held, N, SAMPLE_SEED);
  const multiWord = rows.filter((r) => wordSpans(r.text, model.locale).length >= 3);
  console.log(`# Explainer benchmark — ${path.relative(REPO, MODEL_DIR)}, Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), ${MEMBERS > 1 ? `${MEMBERS}-member ensemble, ` : ''}onnxruntime-node CPU, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at start`);
  console.log(`held-out pool: ${held.length} test-split utterances from ${DATA}; seeded sample of ${rows.length} (seed ${SAMPLE_SEED})\n`);

  const timingRows = rows.slice(0, TIMING_MESSAGES);
  const panelRows = timingRows.slice(0, Math.min(6, timingRows.length));
  if (SECTIONS.has('lime')) {
    const timing = await samplerTiming('lime', model, timingRows);
    console.log(`## LIME time against samples in Node (${inputsLabel(timing.words)}; batch 64, no time budget, best of ${REPS} runs per message)`);
    console.log(table(['samples', 'median ms', 'mean ms', 'p90 ms', 'median CPU ms', 'distinct texts', 'forward passes'], timing.rows));
    const at1000 = timing.rows.find((r) => r[0] === 1000);
    console.log(`model cost: median ${timing.msPerText.toFixed(2)} ms per distinct text (tokenise + forward pass, batched)`);
    if (at1000) console.log(`goal: 1,000 samples ≤ 250 ms — Node median ${at1000[1]} ms, p90 ${at1000[3]} ms: ${Number(at1000[3]) <= 250 ? 'met' : Number(at1000[1]) <= 250 ? 'met at the median' : 'NOT met'}\n`);
  }
  if (SECTIONS.has('shap')) {
    const timing = await samplerTiming('shap', model, timingRows);
    console.log(`## SHAP time against samples in Node (same messages; batch 64, no time budget, best of ${REPS} runs per message; messages of ≤ 10 words are enumerated whatever the samples)`);
    console.log(table(['samples', 'median ms', 'mean ms', 'p90 ms', 'median CPU ms', 'distinct texts', 'forward passes', 'exact'], timing.rows));
    console.log(`model cost: median ${timing.msPerText.toFixed(2)} ms per distinct text\n`);
  }

  if (SECTIONS.has('panel')) {
    const index = readSimilarIndex(MODEL_DIR, model.labels);
    const panel = await panelTiming(model, timingRows, index ? (e, k) => index.search(e, k) : undefined);
    console.log(`## explainAll in Node: every method + faithfulness, after the analysis pass (same ${TIMING_MESSAGES} messages, best of ${REPS})`);
    console.log(table(['measure', 'value'], [['median ms', panel.median.toFixed(0)], ['p90 ms', panel.p90.toFixed(0)], ['forward passes (batches)', panel.passes.toFixed(1)]]));
    console.log('');
  }

  if (BROWSER && (SECTIONS.has('lime') || SECTIONS.has('panel'))) {
    const results = await browserExplainBench({
      variants: BROWSER_VARIANTS,
      limeTexts: SECTIONS.has('lime') ? timingRows.map((r) => r.text) : [],
      counts: LIME_COUNTS,
      reps: BROWSER_REPS,
      panelTexts: SECTIONS.has('panel') ? panelRows.map((r) => r.text) : [],
      build: process.argv.includes('--build'),
    });
    printBrowser(results, timingRows.length, panelRows.length);
  }

  if (SECTIONS.has('stability')) {
    // 1,000 is the default; fewer is what the panel's time budget leaves LIME and SHAP on long messages.
    const sets = [
      { name: 'messages of ≥ 3 words', rows: multiWord.slice(0, STABILITY_MESSAGES) },
      { name: 'messages of more than 10 words (SHAP samples)', rows: rows.filter((r) => wordSpans(r.text, model.locale).length > 10).slice(0, STABILITY_MESSAGES) },
    ];
    for (const set of sets) {
      const stabilityRows = [];
      let at1000 = NaN;
      for (const samples of STABILITY_SAMPLES) {
        const lime = await stability(model, set.rows, samples, 'lime');
        const shap = await stability(model, set.rows, samples, 'shap');
        if (samples === 1000) at1000 = lime.mean;
        stabilityRows.push([
          samples,
          lime.mean.toFixed(3),
          lime.min.toFixed(3),
          `${(100 * lime.atLeast09).toFixed(0)} %`,
          shap.mean.toFixed(3),
          shap.min.toFixed(3),
          `${(100 * shap.atLeast095).toFixed(0)} %`,
        ]);
        process.stderr.write(`  stability ${samples} samples done (${set.name})\n`);
      }
      console.log(`## LIME and SHAP stability (${set.rows.length} ${set.name}, 10 seeds, 45 seed pairs each)`);
      console.log(table(['samples', 'LIME mean top-3 overlap', 'LIME worst message', 'LIME messages ≥ 0.9', 'SHAP mean top-3 overlap', 'SHAP worst message', 'SHAP messages ≥ 0.95'], stabilityRows));
      if (Number.isFinite(at1000)) console.log(`goal: LIME top-3 stability ≥ 0.9 at 1,000 samples — ${at1000 >= 0.9 ? 'met' : 'NOT met'}\n`);
    }
  }

  if (SECTIONS.has('faithfulness')) {
    const f = await faithfulness(model, rows);
    console.log(`## Faithfulness over ${rows.length} held-out utterances (target = predicted intent; model accuracy on them ${(100 * f.accuracy).toFixed(1)} %)`);
    console.log('comprehensiveness: higher is better; sufficiency and deletion AUC: lower is better; means over k = 1, 2, 3, 20 % of words');
    console.log(table(['method', 'comprehensiveness', 'sufficiency', 'deletion AUC', 'most comprehensive', 'explainer ms'], f.rows));
  }
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(0)} s; load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  await model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
