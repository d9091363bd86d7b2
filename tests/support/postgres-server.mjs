// A throwaway PostgreSQL server on loopback for the test run: its own data directory,
// a free port, trust authentication, removed afterwards. Used when no TEST_DATABASE_URL
// is given, so `npm test` covers PostgreSQL wherever the server binaries are installed.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './net.mjs';

function findPostgresBin() {
  const candidates = [];
  const fromPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (fromPath) candidates.push(path.dirname(fromPath));
  if (existsSync('/usr/lib/postgresql')) {
    for (const version of readdirSync('/usr/lib/postgresql').sort().reverse()) {
      candidates.push(`/usr/lib/postgresql/${version}/bin`);
    }
  }
  return candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
}

/** Starts a server; resolves to { url, stop } or to null when PostgreSQL is not installed. */
export async function startPostgres() {
  const bin = findPostgresBin();
  if (!bin) return null;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-pg-'));
  // PostgreSQL refuses to run as root: run it as the `postgres` system user then.
  const asRoot = process.getuid?.() === 0;
  const run = (cmd, args) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(path.join(bin, cmd), args, { stdio: 'pipe' });
  if (asRoot) {
    chmodSync(dataDir, 0o700);
    execFileSync('chown', ['postgres:postgres', dataDir]);
  }
  const port = await freePort();
  run('initdb', ['-D', dataDir, '-U', 'glassdesk', '--auth=trust', '--encoding=UTF8', '--no-locale']);
  run('pg_ctl', [
    '-D', dataDir, '-l', path.join(dataDir, 'server.log'), '-w', 'start',
    '-o', `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
  ]);
  return {
    url: `postgresql://glassdesk@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
