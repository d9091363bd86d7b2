#!/usr/bin/env node
// Launcher for the Python training pipeline: finds a Python that has PyTorch and
// ONNX, then runs `python -m training <command> ...args` from the repository root.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTrainingPython, INSTALL_HINT } from '../lib/setup/python.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
if (command !== 'train' && command !== 'bench') {
  console.error('usage: node training/cli.mjs train --data FILE [--out DIR] [--extra FILE...] [--seed N] | bench');
  process.exit(2);
}

const python = findTrainingPython();
if (!python) {
  console.error(`error: no Python with PyTorch, ONNX, scikit-learn and NumPy found; ${INSTALL_HINT}.`);
  process.exit(1);
}

// Run from the caller's directory so relative paths mean what the user typed;
// PYTHONPATH makes the `training` package importable from anywhere.
const pythonPath = [repo, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
const r = spawnSync(python, ['-m', 'training', command, ...args], {
  stdio: 'inherit',
  env: { ...process.env, PYTHONPATH: pythonPath },
});
process.exit(r.status ?? 1);
