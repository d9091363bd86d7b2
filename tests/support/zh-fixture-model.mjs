#!/usr/bin/env node
// The Chinese fixture model: the bank-zh bot's intent model, trained by the real pipeline in a
// small configuration from tests/fixtures/zh/bank-support.csv into public/models/bank-zh/
// (git-ignored by a .gitignore written into it). The end-to-end chat on Chinese text and the
// CJK parity tests use it. Trained again only when the fixtures, the pipeline's sources or the
// settings below changed since it was made (a stamp in the folder records their hash).
//   node tests/support/zh-fixture-model.mjs     trains it when missing or stale, else says it is current
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The bot whose answers are lib/bot/answers/bank-zh.json. */
export const ZH_BOT = 'bank-zh';
export const ZH_FIXTURE_DATA = 'tests/fixtures/zh/bank-support.csv';
export const zhModelDir = path.join(root, 'public', 'models', ZH_BOT);
const STAMP = 'fixture-stamp.json';

/**
 * The pipeline's test configuration: no pretrained English word vectors (they would not help
 * Chinese and cost a 294 MB read), a narrow two-layer encoder, one member, parity on, no audit.
 * About a minute on two cores.
 */
export const ZH_TRAIN_ARGS = [
  '--data', ZH_FIXTURE_DATA,
  '--no-pretrained',
  '--hidden', '64', '--ff', '128', '--layers', '2', '--heads', '2',
  '--vocab-size', '1000', '--max-length', '64',
  '--epochs', '30', '--patience', '30', '--batch-size', '16', '--lr', '3e-3',
  '--members', '1', '--seed', '13',
  '--no-quantized', '--quiet',
  // The browser tests need the model, not its behavioural audit (tests/audit covers the hook).
  '--no-audit',
];

/** Hash of everything the fixture model is made from: the fixtures, the pipeline's sources, the settings. */
export function zhFixtureHash() {
  const hash = createHash('sha256');
  const add = (relative) => {
    hash.update(`${relative}\0`);
    hash.update(readFileSync(path.join(root, relative)));
    hash.update('\0');
  };
  add(ZH_FIXTURE_DATA);
  const sources = readdirSync(path.join(root, 'training'))
    .filter((name) => name.endsWith('.py') || name === 'parity.ts' || name === 'cli.mjs')
    .sort();
  for (const name of sources) add(`training/${name}`);
  hash.update(JSON.stringify(ZH_TRAIN_ARGS));
  return hash.digest('hex');
}

/** Whether the trained folder is there and was made from what is there now, and if not, why. */
export function zhFixtureModelState(dir = zhModelDir) {
  const stampFile = path.join(dir, STAMP);
  if (!existsSync(path.join(dir, 'model-card.json')) || !existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
    return { current: false, reason: 'it is not trained yet' };
  }
  if (!existsSync(stampFile)) return { current: false, reason: 'the folder does not record what it was trained from' };
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return { current: false, reason: 'its stamp is unreadable' };
  }
  if (stamp?.hash !== zhFixtureHash()) return { current: false, reason: 'the fixtures or the pipeline changed since it was trained' };
  return { current: true, reason: 'it is current' };
}

/**
 * Trains the fixture model when it is missing or stale. The run goes to a scratch folder and
 * replaces the served one only once it succeeded, so a failed or interrupted run leaves no
 * half-written model. Throws with the pipeline's status when training fails.
 */
export function ensureZhFixtureModel({ log = (line) => console.log(line) } = {}) {
  const state = zhFixtureModelState();
  if (state.current) {
    log(`zh fixture model: ${path.relative(root, zhModelDir)} is current.`);
    return { trained: false, dir: zhModelDir };
  }
  log(`zh fixture model: training ${path.relative(root, zhModelDir)} because ${state.reason} (about a minute).`);
  const hash = zhFixtureHash();
  const scratch = path.join(root, '.cache', 'fixture-models', `${ZH_BOT}-${process.pid}`);
  const out = path.join(scratch, ZH_BOT); // the card's name is the folder's name
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    const run = spawnSync(process.execPath, [path.join(root, 'training', 'cli.mjs'), 'train', ...ZH_TRAIN_ARGS, '--out', out], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (run.status !== 0) throw new Error(`training the zh fixture model failed (exit ${run.status ?? run.signal}); see the messages above.`);
    // Generated, so never committed; the stamp says what it was made from.
    writeFileSync(path.join(out, '.gitignore'), '*\n');
    writeFileSync(path.join(out, STAMP), `${JSON.stringify({ hash, data: ZH_FIXTURE_DATA, args: ZH_TRAIN_ARGS }, null, 2)}\n`);
    rmSync(zhModelDir, { recursive: true, force: true });
    mkdirSync(path.dirname(zhModelDir), { recursive: true });
    renameSync(out, zhModelDir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { trained: true, dir: zhModelDir };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureZhFixtureModel();
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
