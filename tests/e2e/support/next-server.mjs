// The production build (`next start`) as a process a test or a benchmark owns: started on a
// given loopback port with its own database, stopped gently (SIGTERM) or hard (SIGKILL), and
// started again on the same port and database. The environment is that of the webServer
// block in playwright.config.ts.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCurrentBuild } from '../../../lib/setup/build-state.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const nextBin = path.join(root, 'node_modules/next/dist/bin/next');

/** Builds the app unless the build there was made from the current sources (or `force`), as `npm start` decides. */
export function ensureBuild({ force = false } = {}) {
  ensureCurrentBuild({ dir: root, force });
}

/**
 * Starts `next start` on 127.0.0.1:`port` with `DATABASE_URL=file:<databaseFile>` and waits
 * until /api/health answers. `stop(signal)` ends the whole process group and resolves once it
 * has exited and the port is free again.
 */
export async function startNextServer({ port, databaseFile, env = {}, timeoutMs = 90_000 }) {
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `file:${databaseFile}`, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that a stop reaches every process it started.
    detached: true,
  });
  // Kept for the error message when it does not come up (and read, so the pipes never fill).
  const log = [];
  const keep = (chunk) => {
    log.push(...String(chunk).split('\n').filter(Boolean));
    log.splice(0, Math.max(0, log.length - 40));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let running = true;
  void exited.then(() => (running = false));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!running) throw new Error(`next start exited before it answered:\n${log.join('\n')}`);
    if (await answers(url)) break;
    if (Date.now() > deadline) {
      killGroup(child.pid, 'SIGKILL');
      throw new Error(`next start did not answer within ${timeoutMs / 1000} s:\n${log.join('\n')}`);
    }
    await sleep(250);
  }

  return {
    url,
    port,
    databaseFile,
    pid: child.pid,
    log,
    async stop(signal = 'SIGTERM') {
      if (running) {
        killGroup(child.pid, signal);
        // A gentle stop that takes too long becomes a hard one.
        const hard = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 15_000);
        await exited;
        clearTimeout(hard);
      }
      // Other processes of the group may still hold the port for a moment.
      const freeBy = Date.now() + 15_000;
      while ((await answers(url)) && Date.now() < freeBy) await sleep(100);
    },
  };
}

async function answers(url) {
  try {
    return (await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) })).ok;
  } catch {
    return false;
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
