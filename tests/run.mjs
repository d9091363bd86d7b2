#!/usr/bin/env node
// `npm test`: every test, on a fresh machine as on a developer's.
// 1. Makes sure what the tests need is there: npm packages, Chromium, Python's torch and
//    PostgreSQL. As root with apt-get it installs what is missing; otherwise it stops with
//    one sentence saying what to install.
// 2. Trains the Chinese fixture model when it is missing or stale (tests/support/zh-fixture-model.mjs).
// 3. Starts a throwaway PostgreSQL server unless TEST_POSTGRES_URL names one.
// 4. Runs vitest (units, database, model), the Python pipeline's tests, and Playwright in
//    Chromium, then prints one line: N passed, N failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reports = path.join(root, '.cache/test-reports');
const inCi = !!process.env.CI;

function fail(sentence) {
  console.error(`\nnpm test: ${sentence}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  console.log(`\n$ ${[command, ...args].join(' ')}`);
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options }).status ?? 1;
}

const isRoot = process.getuid?.() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
let aptUpdated = false;

/** Installs Debian packages when we may; otherwise stops with what to install. */
function requireDebianPackages(packages, what) {
  if (!isRoot || !hasApt) fail(`${what} is missing: install it with \`sudo apt-get install ${packages.join(' ')}\` and run npm test again.`);
  if (!aptUpdated) {
    run('apt-get', ['update', '-qq']);
    aptUpdated = true;
  }
  const status = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (status !== 0) fail(`installing ${packages.join(' ')} failed; install it by hand and run npm test again.`);
}

// npm packages: a fresh clone gets them from the lockfile.
if (!existsSync(path.join(root, 'node_modules/.package-lock.json'))) {
  if (run('npm', ['ci']) !== 0) fail('`npm ci` failed; see the messages above.');
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) requireDebianPackages(['chromium'], 'Chromium (for the browser tests)');

const { findTrainingPython, INSTALL_HINT } = await import('../lib/setup/python.mjs');
let python = findTrainingPython();
if (!python) {
  if (isRoot && hasApt) {
    requireDebianPackages(['python3-torch', 'python3-onnx', 'python3-sklearn', 'python3-numpy'], "Python's torch");
    python = findTrainingPython();
  }
  if (!python) fail(`the model tests need Python with torch, onnx, scikit-learn and numpy: ${INSTALL_HINT}.`);
}

// The Chinese fixture model, trained by the pipeline from tests/fixtures/zh when missing or
// stale, before any suite: the CJK parity tests read it and the browser build serves it.
if (run(process.execPath, ['tests/support/zh-fixture-model.mjs'], { env: { ...process.env, GLASSDESK_PYTHON: python } }) !== 0) {
  fail('training the Chinese fixture model failed; see the messages above.');
}

let postgres = null;
let postgresUrl = process.env.TEST_POSTGRES_URL;
if (!postgresUrl) {
  const { startPostgres } = await import('./support/postgres-server.mjs');
  postgres = await startPostgres();
  if (!postgres && isRoot && hasApt) {
    requireDebianPackages(['postgresql'], 'PostgreSQL (for the database tests)');
    postgres = await startPostgres();
  }
  if (postgres) postgresUrl = postgres.url;
  else if (inCi) fail('PostgreSQL is not installed: install it with `apt-get install postgresql`.');
  else console.warn('\nnpm test: PostgreSQL is not installed, so the database tests run on SQLite only (apt-get install postgresql).');
}

rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
// Next's telemetry stays off for the builds the tests make (and its notice out of the log).
const env = { NEXT_TELEMETRY_DISABLED: '1', ...process.env, GLASSDESK_PYTHON: python, ...(postgresUrl ? { TEST_POSTGRES_URL: postgresUrl } : {}) };
const results = [];

try {
  const vitestReport = path.join(reports, 'vitest.json');
  const vitestStatus = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`], { env });
  results.push(countVitest(vitestReport, vitestStatus));

  if (existsSync(path.join(root, 'training/tests'))) {
    console.log(`\n$ ${python} -m unittest discover -s training/tests -t .`);
    const unittest = spawnSync(python, ['-m', 'unittest', 'discover', '-s', 'training/tests', '-t', '.'], { cwd: root, env, encoding: 'utf8' });
    process.stdout.write(unittest.stdout);
    process.stderr.write(unittest.stderr);
    results.push(countUnittest(unittest.stderr, unittest.status ?? 1));
  }

  const playwrightReport = path.join(reports, 'playwright.json');
  const playwrightStatus = run('npx', ['playwright', 'test', '--reporter=list,json'], {
    env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport },
  });
  results.push(countPlaywright(playwrightReport, playwrightStatus));
} finally {
  postgres?.stop();
}

const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
const skipped = results.reduce((sum, r) => sum + r.skipped, 0);
console.log('');
for (const r of results) console.log(`  ${r.suite.padEnd(12)} ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || results.some((r) => r.broken) ? 1 : 0);

function countVitest(file, status) {
  if (!existsSync(file)) return { suite: 'vitest', passed: 0, failed: 1, skipped: 0, broken: true };
  const report = JSON.parse(readFileSync(file, 'utf8'));
  // A file that fails to load has no failed test of its own: count it as one failure.
  const brokenFiles = report.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  ).length;
  const failed = report.numFailedTests + brokenFiles;
  return { suite: 'vitest', passed: report.numPassedTests, failed, skipped: report.numPendingTests + report.numTodoTests, broken: status !== 0 && failed === 0 };
}

function countUnittest(stderr, status) {
  const ran = Number(/Ran (\d+) tests?/.exec(stderr)?.[1] ?? 0);
  const failures = Number(/failures=(\d+)/.exec(stderr)?.[1] ?? 0) + Number(/errors=(\d+)/.exec(stderr)?.[1] ?? 0);
  const skipped = Number(/skipped=(\d+)/.exec(stderr)?.[1] ?? 0);
  return { suite: 'python', passed: ran - failures - skipped, failed: failures, skipped, broken: status !== 0 && failures === 0 };
}

function countPlaywright(file, status) {
  if (!existsSync(file)) return { suite: 'playwright', passed: 0, failed: 1, skipped: 0, broken: true };
  const { stats } = JSON.parse(readFileSync(file, 'utf8'));
  const failed = stats.unexpected + stats.flaky;
  return { suite: 'playwright', passed: stats.expected, failed, skipped: stats.skipped, broken: status !== 0 && failed === 0 };
}
