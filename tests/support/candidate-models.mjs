#!/usr/bin/env node
// Two versions of the banking77 bot's intent model, for the replay and change-control tests:
// trained by the real pipeline in a small configuration from tests/fixtures/candidate/, cached
// under .cache/candidate-models/<a|b>/. A knows five Banking77 intents and out of scope; B is
// trained with another seed and schedule and learns a sixth intent (card_payment_fee_charged),
// so some customers' answers change between them. Each is trained again only when its fixtures,
// the pipeline's sources or its settings changed since it was made (a stamp in the folder).
//   node tests/support/candidate-models.mjs     trains both when missing or stale, else says they are current
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The bot both models are versions of (its answers cover every intent they know). */
export const CANDIDATE_BOT = 'banking77';
export const CANDIDATE_DATA = 'tests/fixtures/candidate/banking77-small.csv';
/** B's extra intent. */
export const CANDIDATE_EXTRA = 'tests/fixtures/candidate/banking77-fees.csv';
export const candidateModelsRoot = path.join(root, '.cache', 'candidate-models');

/**
 * The pipeline's test configuration (as for the zh fixture model): no pretrained word vectors,
 * a narrow two-layer encoder, one member, no quantized copy. Each model takes about a minute on
 * two cores, its behavioural audit (which the replay's audit deltas read) a little more.
 */
const SMALL = [
  '--no-pretrained',
  '--hidden', '64', '--ff', '128', '--layers', '2', '--heads', '2',
  '--vocab-size', '1000', '--max-length', '48',
  '--batch-size', '16', '--lr', '3e-3',
  '--members', '1',
  '--no-quantized', '--quiet',
];

export const CANDIDATE_MODELS = {
  a: { data: [CANDIDATE_DATA], args: ['--data', CANDIDATE_DATA, ...SMALL, '--epochs', '30', '--patience', '30', '--seed', '13'] },
  b: {
    data: [CANDIDATE_DATA, CANDIDATE_EXTRA],
    args: ['--data', CANDIDATE_DATA, '--extra', CANDIDATE_EXTRA, ...SMALL, '--epochs', '12', '--patience', '12', '--seed', '29'],
  },
};

export const candidateModelDir = (name) => path.join(candidateModelsRoot, name);
/**
 * What model `name` was made from, kept beside its folder rather than in it: a model's version is
 * the hash of its folder's files, which the stamp is no part of.
 */
const stampFile = (name) => path.join(candidateModelsRoot, `${name}.stamp.json`);

/** Hash of everything model `name` is made from: its fixtures, the pipeline's sources, its settings. */
export function candidateModelHash(name) {
  const spec = CANDIDATE_MODELS[name];
  const hash = createHash('sha256');
  const add = (relative) => {
    hash.update(`${relative}\0`);
    hash.update(readFileSync(path.join(root, relative)));
    hash.update('\0');
  };
  for (const file of spec.data) add(file);
  const sources = readdirSync(path.join(root, 'training'))
    .filter((file) => file.endsWith('.py') || file === 'parity.ts' || file === 'cli.mjs')
    .sort();
  for (const file of sources) add(`training/${file}`);
  // The audit the pipeline runs after training writes into the card.
  for (const file of readdirSync(path.join(root, 'lib', 'audit')).filter((file) => file.endsWith('.ts')).sort()) add(`lib/audit/${file}`);
  hash.update(JSON.stringify(spec.args));
  return hash.digest('hex');
}

/** Whether model `name` is there and was made from what is there now, and if not, why. */
export function candidateModelState(name) {
  const dir = candidateModelDir(name);
  if (!existsSync(path.join(dir, 'model-card.json')) || !existsSync(path.join(dir, 'onnx', 'model.onnx'))) return { current: false, reason: 'it is not trained yet' };
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile(name), 'utf8'));
  } catch {
    return { current: false, reason: 'it does not record what it was trained from' };
  }
  if (stamp?.hash !== candidateModelHash(name)) return { current: false, reason: 'the fixtures or the pipeline changed since it was trained' };
  return { current: true, reason: 'it is current' };
}

/**
 * Trains model `name` when it is missing or stale, into a scratch folder that replaces the cached
 * one only once training succeeded. Throws with the pipeline's status when it fails.
 */
export function ensureCandidateModel(name, { log = (line) => console.log(line) } = {}) {
  const dir = candidateModelDir(name);
  const shown = path.relative(root, dir);
  const state = candidateModelState(name);
  if (state.current) {
    log(`candidate model ${name}: ${shown} is current.`);
    return { trained: false, dir };
  }
  log(`candidate model ${name}: training ${shown} because ${state.reason} (a minute or two).`);
  const hash = candidateModelHash(name);
  const scratch = path.join(candidateModelsRoot, `.${name}-${process.pid}`);
  const out = path.join(scratch, name);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    const run = spawnSync(process.execPath, [path.join(root, 'training', 'cli.mjs'), 'train', ...CANDIDATE_MODELS[name].args, '--out', out], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (run.status !== 0) throw new Error(`training candidate model ${name} failed (exit ${run.status ?? run.signal}); see the messages above.`);
    rmSync(stampFile(name), { force: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
    writeFileSync(stampFile(name), `${JSON.stringify({ hash, args: CANDIDATE_MODELS[name].args }, null, 2)}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { trained: true, dir };
}

/** Both models' folders, trained first when missing or stale. */
export function candidateModelDirs(options) {
  return { a: ensureCandidateModel('a', options).dir, b: ensureCandidateModel('b', options).dir };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    candidateModelDirs();
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
