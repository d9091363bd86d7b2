#!/usr/bin/env node
// Launcher for the Python training pipeline: finds a Python that has PyTorch and
// ONNX, then runs `python -m training <command> ...args` from the repository root.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
if (command !== 'train' && command !== 'bench') {
  console.error('usage: node training/cli.mjs train --data FILE [--out DIR] [--extra FILE...] [--seed N] | bench');
  process.exit(2);
}

// Debian's python3-torch lives in /usr/bin/python3; a pyenv/venv python3 on PATH
// usually lacks it, so the system interpreter is tried first.
const candidates = [process.env.GLASSDESK_PYTHON, '/usr/bin/python3', 'python3', 'python'].filter(Boolean);
const required = command === 'bench' ? 'torch, onnx, sklearn' : 'torch, onnx, sklearn, numpy';

function works(python) {
  if (python.includes('/') && !existsSync(python)) return false;
  const r = spawnSync(python, ['-c', `import ${required}`], { stdio: 'ignore' });
  return r.status === 0;
}

const python = candidates.find(works);
if (!python) {
  console.error(
    'error: no Python with PyTorch, ONNX and scikit-learn found; install them with ' +
      '`apt-get install python3-torch python3-onnx python3-sklearn` or `pip install torch onnx scikit-learn numpy`.',
  );
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
