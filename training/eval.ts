// `npm run eval -- --model DIR --data FILE [--batch-size N] [--dtype fp32|q8] [--json]`
// Runs an exported model on labelled data with the same lib/model code the
// browser worker and the server use, and prints quality and speed.
import { parseArgs } from 'node:util';

import { accuracy, argmax, expectedCalibrationError, macroF1 } from '../lib/model/metrics';
import { loadModelFromDir } from '../lib/model/node';
import type { ModelDtype } from '../lib/model/types';
import { DataFileError, readLabelledFile } from '../lib/admin/labelled-file';

const OOS_NAMES = new Set(['oos', 'out_of_scope']);

export interface EvalReport {
  model: string;
  data: string;
  rows: number;
  scored: number;
  skippedUnknownLabels: Record<string, number>;
  accuracy: number;
  macroF1: number;
  ece: number;
  outOfScope: { rows: number; recall: number; precision: number; threshold: number } | null;
  throughput: { textsPerSecond: number; batchSize: number; singleTextMs: number };
}

export async function evaluate(modelDir: string, dataFile: string, opts: { batchSize?: number; dtype?: ModelDtype } = {}): Promise<EvalReport> {
  const data = readLabelledFile(dataFile);
  const model = await loadModelFromDir(modelDir, { batchSize: opts.batchSize ?? 64, dtype: opts.dtype ?? 'fp32' });
  try {
    const index = new Map(model.labels.map((l, i) => [l, i]));
    const oosLabel = model.card?.outOfScopeLabel ?? null;
    const oosIndex = oosLabel !== null ? index.get(oosLabel)! : -1;
    const isOos = data.labels.map((l) => OOS_NAMES.has(l) || l === oosLabel);

    // Warm-up so that session creation does not count against throughput.
    await model.predict(data.texts.slice(0, 2));
    const t0 = performance.now();
    const probs = await model.predict(data.texts);
    const seconds = (performance.now() - t0) / 1000;
    const single: number[] = [];
    for (const text of data.texts.slice(0, 20)) {
      const s = performance.now();
      await model.predict([text]);
      single.push(performance.now() - s);
    }
    single.sort((a, b) => a - b);

    const skipped: Record<string, number> = {};
    const pred: number[] = [];
    const truth: number[] = [];
    const scoredProbs: number[][] = [];
    data.labels.forEach((l, i) => {
      const y = index.get(l) ?? (isOos[i] && oosIndex >= 0 ? oosIndex : undefined);
      if (y === undefined) {
        if (!isOos[i]) skipped[l] = (skipped[l] ?? 0) + 1;
        return;
      }
      pred.push(argmax(probs[i]));
      truth.push(y);
      scoredProbs.push(probs[i]);
    });

    let outOfScope: EvalReport['outOfScope'] = null;
    if (isOos.some(Boolean)) {
      // The card's rule: the top class is the out-of-scope class, or the best
      // in-scope probability is below the calibrated threshold.
      const threshold = model.card?.thresholds.outOfScope ?? 0;
      const flagged = probs.map((p) => {
        const inScope = p.map((v, j) => (j === oosIndex ? -1 : v));
        return argmax(p) === oosIndex || Math.max(...inScope) < threshold;
      });
      let tp = 0, fp = 0, fn = 0;
      flagged.forEach((f, i) => {
        if (f && isOos[i]) tp++;
        else if (f) fp++;
        else if (isOos[i]) fn++;
      });
      outOfScope = { rows: tp + fn, recall: tp / Math.max(1, tp + fn), precision: tp / Math.max(1, tp + fp), threshold };
    }
    return {
      model: modelDir,
      data: dataFile,
      rows: data.texts.length,
      scored: pred.length,
      skippedUnknownLabels: skipped,
      accuracy: accuracy(pred, truth),
      macroF1: macroF1(pred, truth),
      ece: expectedCalibrationError(scoredProbs, truth),
      outOfScope,
      throughput: {
        textsPerSecond: data.texts.length / seconds,
        batchSize: opts.batchSize ?? 64,
        singleTextMs: single[Math.floor(single.length / 2)] ?? NaN,
      },
    };
  } finally {
    await model.dispose();
  }
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      'batch-size': { type: 'string', default: '64' },
      dtype: { type: 'string', default: 'fp32' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.model || !values.data) {
    console.error('usage: npm run eval -- --model DIR --data FILE [--batch-size N] [--dtype fp32|q8] [--json]');
    return 2;
  }
  const r = await evaluate(values.model, values.data, { batchSize: Number(values['batch-size']), dtype: values.dtype as ModelDtype });
  if (values.json) {
    console.log(JSON.stringify(r, null, 2));
    return 0;
  }
  const lines = [
    `model        ${r.model}`,
    `data         ${r.data} (${r.rows} rows, ${r.scored} scored)`,
    `accuracy     ${pct(r.accuracy)}`,
    `macro-F1     ${pct(r.macroF1)}`,
    `ECE          ${r.ece.toFixed(4)} (calibrated probabilities, 15 bins)`,
  ];
  if (r.outOfScope) {
    lines.push(`out of scope ${r.outOfScope.rows} rows: recall ${pct(r.outOfScope.recall)}, precision ${pct(r.outOfScope.precision)} (threshold ${r.outOfScope.threshold})`);
  }
  const skipped = Object.entries(r.skippedUnknownLabels);
  if (skipped.length) lines.push(`skipped      ${skipped.reduce((a, [, n]) => a + n, 0)} rows with intents the model does not know: ${skipped.map(([l]) => l).slice(0, 5).join(', ')}${skipped.length > 5 ? ', ...' : ''}`);
  lines.push(`throughput   ${r.throughput.textsPerSecond.toFixed(0)} texts/s (batch ${r.throughput.batchSize}, CPU); one text ${r.throughput.singleTextMs.toFixed(1)} ms (median)`);
  console.log(lines.join('\n'));
  return 0;
}

// Run as a CLI only when executed directly (tests import `evaluate`).
if (process.argv[1] && /eval\.ts$/.test(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`error: ${err instanceof DataFileError ? err.message : err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
