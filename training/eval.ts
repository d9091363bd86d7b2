// `npm run eval -- --model DIR --data FILE [--batch-size N] [--dtype fp32|q8] [--json]`
// Runs an exported model on labelled data with the same lib/model code the
// browser worker and the server use, and prints quality and speed.
import { parseArgs } from 'node:util';

import { accuracy, argmax, expectedCalibrationError, macroF1 } from '../lib/model/metrics';
import { loadModelFromDir } from '../lib/model/node';
import { isUnreadable, trainingCharacters } from '../lib/model/readability';
import type { ModelDtype, Thresholds } from '../lib/model/types';
import { decide } from '../lib/bot/policy';
import type { DecisionKind } from '../lib/records/turn';
import { DataFileError, readLabelledFile } from '../lib/admin/labelled-file';

const OOS_NAMES = new Set(['oos', 'out_of_scope']);

/** A count and the share it is of `of`. */
export type Share = { count: number; of: number; rate: number };
const share = (count: number, of: number): Share => ({ count, of, rate: of ? count / of : NaN });

/**
 * What the dialogue policy (lib/bot/policy.ts, with the card's thresholds and the readability
 * rule) does with labelled rows: how many out-of-scope questions it hands off (recall), how
 * many in-scope questions it wrongly rejects (false rejection), and the messages it cannot read,
 * which are counted apart and left out of both: a message in a script the model never saw says
 * nothing about its out-of-scope detection.
 */
export interface PolicyFigures {
  decisions: Record<DecisionKind, number>;
  /** Out-of-scope rows the policy hands off, of the readable out-of-scope rows. */
  outOfScopeRecall: Share;
  /** Handed-off rows that were out of scope, of all readable hand-offs. */
  outOfScopePrecision: Share;
  /** In-scope rows the policy hands off as out of scope or unsure, of the readable in-scope rows. */
  inScopeFalseRejection: Share;
  /** Rows the model cannot read: in all, and how many of them were labelled in scope and out of scope. */
  unreadable: { rows: number; inScope: number; outOfScope: number };
}

export type PolicyRow = { text: string; outOfScope: boolean; probabilities: number[] };
export type PolicySettings = { labels: string[]; thresholds: Thresholds; outOfScopeLabel: string | null; characters: string };

export function policyFigures(rows: readonly PolicyRow[], settings: PolicySettings): PolicyFigures {
  const decisions: Record<DecisionKind, number> = { answer: 0, clarify: 0, handoff: 0, unreadable: 0 };
  let outOfScope = 0, caught = 0, inScope = 0, rejected = 0, unreadableIn = 0, unreadableOut = 0;
  for (const row of rows) {
    const unreadable = isUnreadable(row.text, settings.characters);
    const decision = decide({ labels: settings.labels, probabilities: row.probabilities, thresholds: settings.thresholds, outOfScopeLabel: settings.outOfScopeLabel, unreadable });
    decisions[decision.kind]++;
    if (unreadable) {
      if (row.outOfScope) unreadableOut++;
      else unreadableIn++;
      continue;
    }
    const handedOff = decision.kind === 'handoff';
    if (row.outOfScope) {
      outOfScope++;
      if (handedOff) caught++;
    } else {
      inScope++;
      if (handedOff) rejected++;
    }
  }
  return {
    decisions,
    outOfScopeRecall: share(caught, outOfScope),
    outOfScopePrecision: share(caught, caught + rejected),
    inScopeFalseRejection: share(rejected, inScope),
    unreadable: { rows: unreadableIn + unreadableOut, inScope: unreadableIn, outOfScope: unreadableOut },
  };
}

export interface EvalReport {
  model: string;
  data: string;
  rows: number;
  scored: number;
  skippedUnknownLabels: Record<string, number>;
  accuracy: number;
  macroF1: number;
  ece: number;
  /** Under the card's policy, readable rows only (see `policy`); null when the data has no out-of-scope rows. */
  outOfScope: { rows: number; recall: number; precision: number; threshold: number } | null;
  /** The card's policy on every row whose label is known or out of scope, with the thresholds it used. */
  policy: PolicyFigures & { thresholds: Thresholds };
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

    // The card's policy, readability included, on every row the model has a label for or that is out of scope.
    const card = model.card;
    const thresholds = card?.thresholds ?? { outOfScope: 0, ambiguityMargin: 0 };
    const figures = policyFigures(
      data.texts.flatMap((text, i) => (index.has(data.labels[i]!) || isOos[i] ? [{ text, outOfScope: isOos[i]!, probabilities: probs[i]! }] : [])),
      {
        labels: model.labels,
        thresholds,
        outOfScopeLabel: oosLabel,
        characters: trainingCharacters(card, () => model.tokenizer.get_vocab().keys()),
      },
    );
    const policy = { ...figures, thresholds };
    const outOfScope: EvalReport['outOfScope'] = isOos.some(Boolean)
      ? { rows: policy.outOfScopeRecall.of, recall: policy.outOfScopeRecall.rate, precision: policy.outOfScopePrecision.rate, threshold: thresholds.outOfScope }
      : null;
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
      policy,
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
  const { outOfScopeRecall: recall, inScopeFalseRejection: rejection, unreadable, outOfScopePrecision: precision } = r.policy;
  const counted = (figure: Share, what: string) => (figure.of ? `${pct(figure.rate)} (${figure.count} of ${figure.of} ${what})` : `n/a (no ${what})`);
  lines.push(`policy       the card's: out of scope below ${r.policy.thresholds.outOfScope}, clarify within ${r.policy.thresholds.ambiguityMargin}, and the readability rule`);
  lines.push(`  out-of-scope recall      ${counted(recall, 'out-of-scope rows handed off')}${precision.of ? `, precision ${pct(precision.rate)}` : ''}`);
  lines.push(`  in-scope false rejection ${counted(rejection, 'in-scope rows handed off')}`);
  lines.push(
    `  unreadable               ${unreadable.rows} rows the model cannot read (${unreadable.inScope} in scope, ${unreadable.outOfScope} out of scope), counted in neither figure above`,
  );
  lines.push(`  decisions                ${Object.entries(r.policy.decisions).map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
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
