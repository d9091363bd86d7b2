// Whether the production build in .next/ was made from the sources as they are now. A hash of
// every input of `next build` is stored beside .next/BUILD_ID after each build (with that
// BUILD_ID); `npm start` builds again only when it differs, or when there is no such record.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Folders and files whose content `next build` reads. */
export const BUILD_INPUTS = [
  'app',
  'lib',
  'public',
  'prisma',
  'proxy.ts',
  'instrumentation.ts',
  'next.config.mjs',
  'postcss.config.mjs',
  'tsconfig.json',
  'package.json',
  'package-lock.json',
  '.env',
  '.env.local',
  '.env.production',
  '.env.production.local',
];

/** Written by the build or by tools, not read by it as a source. */
const SKIPPED = new Set(['node_modules', '.next', '.git', '.cache', 'data', 'next-env.d.ts', 'tsconfig.tsbuildinfo']);

const STAMP = '.next/glassdesk-sources.json';

/**
 * SHA-256 over the relative path and content of every build input under `dir`, in a fixed
 * order, and over the NEXT_PUBLIC_ variables (the build inlines them).
 * @param {string} [dir]
 * @param {Record<string, string | undefined>} [env]
 */
export function sourceHash(dir = root, env = process.env) {
  const hash = createHash('sha256');
  const visit = (relative) => {
    const absolute = path.join(dir, relative);
    if (!existsSync(absolute)) return;
    const entries = readdirSync(absolute, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (SKIPPED.has(entry.name)) continue;
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) visit(child);
      else if (entry.isFile()) addFile(child);
    }
  };
  const addFile = (relative) => {
    hash.update(`${relative.split(path.sep).join('/')}\0`);
    hash.update(readFileSync(path.join(dir, relative)));
    hash.update('\0');
  };
  for (const input of BUILD_INPUTS) {
    const absolute = path.join(dir, input);
    if (!existsSync(absolute)) continue;
    if (statSync(absolute).isDirectory()) visit(input);
    else addFile(input);
  }
  for (const name of Object.keys(env).filter((key) => key.startsWith('NEXT_PUBLIC_')).sort()) hash.update(`${name}=${env[name]}\0`);
  return hash.digest('hex');
}

/**
 * Build or not, and why: `buildId` is .next/BUILD_ID (null without a build), `stamp` what the
 * last build through here recorded (its BUILD_ID and the sources' hash; null if none), and
 * `currentHash` the sources' hash now. A build made some other way (`next build` by hand) has
 * another BUILD_ID than the stamp, so its sources are unknown.
 */
export function buildDecision({ buildId, stamp, currentHash }) {
  if (!buildId) return { build: true, reason: 'there is no build yet' };
  if (!stamp || stamp.buildId !== buildId) return { build: true, reason: 'the build does not record which sources it was made from' };
  if (stamp.sourceHash !== currentHash) return { build: true, reason: 'the sources changed since the last build' };
  return { build: false, reason: 'the sources are unchanged since the last build' };
}

/** The decision for the checkout at `dir` as it is now. */
export function currentBuildDecision(dir = root) {
  const currentHash = sourceHash(dir);
  return { ...buildDecision({ buildId: readBuildId(dir), stamp: readStamp(dir), currentHash }), currentHash };
}

function readBuildId(dir) {
  const file = path.join(dir, '.next/BUILD_ID');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || null : null;
}

function readStamp(dir) {
  try {
    const stamp = JSON.parse(readFileSync(path.join(dir, STAMP), 'utf8'));
    return typeof stamp?.buildId === 'string' && typeof stamp?.sourceHash === 'string' ? stamp : null;
  } catch {
    return null;
  }
}

/** Runs `next build` when the sources changed (or always, with `force`), and records the sources it built. */
export function ensureCurrentBuild({ dir = root, force = false, log = (line) => console.log(line) } = {}) {
  const decision = force ? { build: true, reason: 'a build was asked for' } : currentBuildDecision(dir);
  if (!decision.build) {
    log(`Serving the existing build: ${decision.reason}.`);
    return decision;
  }
  log(`Building the app: ${decision.reason}.`);
  const nextBin = path.join(dir, 'node_modules/next/dist/bin/next');
  const result = spawnSync(process.execPath, [nextBin, 'build'], {
    cwd: dir,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? '1' },
  });
  if (result.status !== 0) throw new Error('next build failed; see the messages above.');
  recordBuild(dir);
  return decision;
}

/** Records the sources the build in `dir`/.next was made from (hashed after the build: `next build` may rewrite tsconfig.json). */
export function recordBuild(dir = root) {
  writeFileSync(path.join(dir, STAMP), `${JSON.stringify({ buildId: readBuildId(dir), sourceHash: sourceHash(dir) })}\n`);
}

// `npm run build`: always builds, and records the sources, so that `npm start` then serves it.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureCurrentBuild({ force: true, log: () => {} });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
