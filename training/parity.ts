// Export check run by the training pipeline: does the exported folder, loaded by
// transformers.js in Node, give the same token ids and logits as PyTorch?
//   tsx training/parity.ts --model DIR --expected FILE --report FILE [--tolerance X] [--dtype fp32|q8]
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { argmax } from '../lib/model/metrics';
import { loadModelFromDir } from '../lib/model/node';
import type { ModelDtype } from '../lib/model/types';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    expected: { type: 'string' },
    report: { type: 'string' },
    tolerance: { type: 'string', default: '1e-4' },
    dtype: { type: 'string', default: 'fp32' },
  },
});

async function main(): Promise<number> {
  const expected = JSON.parse(readFileSync(values.expected!, 'utf8')) as { texts: string[]; input_ids: number[][]; logits: number[][] };
  const tolerance = Number(values.tolerance);
  const model = await loadModelFromDir(values.model!, { dtype: values.dtype as ModelDtype });
  let idsIdentical = true;
  let firstMismatch: string | null = null;
  for (let i = 0; i < expected.texts.length && idsIdentical; i++) {
    const enc = model.tokenizer(expected.texts[i], { padding: true, truncation: true, return_tensor: false }) as unknown as { input_ids: number[] };
    const ids = enc.input_ids.map(Number);
    if (ids.join(',') !== expected.input_ids[i].join(',')) {
      idsIdentical = false;
      firstMismatch = expected.texts[i];
    }
  }
  const started = performance.now();
  const logits = await model.logits(expected.texts);
  const seconds = (performance.now() - started) / 1000;
  let maxAbsDiff = 0;
  let agree = 0;
  for (let i = 0; i < logits.length; i++) {
    for (let j = 0; j < logits[i].length; j++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(logits[i][j] - expected.logits[i][j]));
    if (argmax(logits[i]) === argmax(expected.logits[i])) agree++;
  }
  const ok = idsIdentical && maxAbsDiff <= tolerance;
  const message = !idsIdentical
    ? `transformers.js tokenises ${JSON.stringify(firstMismatch)} differently from the training tokenizer, so the export cannot be trusted.`
    : !ok
      ? `the exported model's logits differ from PyTorch's by up to ${maxAbsDiff.toExponential(2)} (tolerance ${tolerance}), so the export is broken.`
      : null;
  const report = {
    ok,
    n: logits.length,
    ids_identical: idsIdentical,
    max_abs_diff: maxAbsDiff,
    argmax_agreement: agree / Math.max(1, logits.length),
    dtype: values.dtype,
    runtime: 'transformers.js + onnxruntime-node (cpu)',
    seconds,
    message,
  };
  writeFileSync(values.report!, JSON.stringify(report));
  await model.dispose();
  if (!ok) console.error(`error: ${message}`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`error: the parity check failed to run: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
