#!/usr/bin/env node
// Launcher for the Python training pipeline: finds a Python that has PyTorch and
// ONNX, then runs `python -m training <command> ...args` from the repository root.
// After a training run it audits the new model on its validation rows (`npm run audit`,
// lib/audit) and writes the summary into its model card as `audit`; --no-audit skips that.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTrainingPython, INSTALL_HINT } from '../lib/setup/python.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...given] = process.argv.slice(2);
if (command !== 'train' && command !== 'bench') {
  console.error('usage: node training/cli.mjs train --data FILE [--out DIR] [--extra FILE...] [--seed N] [--no-audit] | bench');
  process.exit(2);
}

const python = findTrainingPython();
if (!python) {
  console.error(`error: no Python with PyTorch, ONNX, scikit-learn and NumPy found; ${INSTALL_HINT}.`);
  process.exit(1);
}

/** The value of option `name` in `args` (`--name VALUE` or `--name=VALUE`, the last one wins), or undefined. */
function optionValue(args, name) {
  let value;
  args.forEach((arg, i) => {
    if (arg === name && i + 1 < args.length) value = args[i + 1];
    else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
  });
  return value;
}

const audit = command === 'train' && !given.includes('--no-audit') && !given.includes('--help') && !given.includes('-h');
const args = given.filter((arg) => arg !== '--no-audit');
// The audit runs on the validation rows: the pipeline writes them where the user asked, or to a
// scratch folder removed afterwards.
let split = command === 'train' ? optionValue(args, '--save-split') : undefined;
let scratch;
if (audit && split === undefined) {
  scratch = mkdtempSync(path.join(tmpdir(), 'glassdesk-audit-split-'));
  split = scratch;
  args.push('--save-split', scratch);
}

function run(executable, argv, options) {
  const r = spawnSync(executable, argv, { stdio: 'inherit', ...options });
  return r.status ?? 1;
}

let status;
try {
  // Run from the caller's directory so relative paths mean what the user typed;
  // PYTHONPATH makes the `training` package importable from anywhere.
  const pythonPath = [repo, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  status = run(python, ['-m', 'training', command, ...args], { env: { ...process.env, PYTHONPATH: pythonPath } });
  if (command === 'train' && given.some((arg) => arg === '--help' || arg === '-h')) {
    console.log('\nAfter training, npm run train audits the new model on its validation rows (npm run audit) and puts the summary in its model card:\n  --no-audit            skip the audit');
  }
  if (status === 0 && audit) {
    // Where the pipeline wrote the model: --out, else public/models/<data file name> (training/pipeline.py).
    const data = optionValue(args, '--data');
    const out = path.resolve(optionValue(args, '--out') ?? path.join(repo, 'public', 'models', path.parse(data ?? '').name));
    console.error(`audit: ${path.relative(process.cwd(), out) || out} on its validation rows (npm run audit; --no-audit skips it)`);
    const tsx = path.join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    // From the repository, whose tsconfig resolves the app's imports; every path is absolute.
    status = run(
      process.execPath,
      [tsx, '--conditions', 'react-server', path.join(repo, 'lib', 'audit', 'cli.ts'), '--model', out, '--data', path.join(path.resolve(split), 'validation.csv'), '--no-store', '--card'],
      { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (status !== 0) console.error(`error: the model was written, but its audit failed; run npm run audit -- --model ${out} to see why.`);
  }
} finally {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
process.exit(status);
