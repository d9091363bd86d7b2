// Starts the production build on a free loopback port for a benchmark, with its own
// SQLite file; `stop()` ends it and removes the file. Builds first when there is no build yet.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuild, root, startNextServer } from '../../tests/e2e/support/next-server.mjs';
import { freePort } from '../../tests/support/net.mjs';

export { root };

export async function startProductionServer({ build = false, env = {} } = {}) {
  ensureBuild({ force: build });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-bench-'));
  const server = await startNextServer({ port: await freePort(), databaseFile: path.join(dataDir, 'bench.db'), env, timeoutMs: 60_000 });
  return {
    url: server.url,
    dataDir,
    /** The server's process group (next start and its workers). */
    pid: server.pid,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function printTable(title, headers, rows) {
  const cells = [headers, ...rows].map((row) => row.map(String));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(cells[0]));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of cells.slice(1)) console.log(line(row));
}
