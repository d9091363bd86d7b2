#!/usr/bin/env node
// `npm start`: builds the app when its sources changed since the last build (or when there is
// none), says which in one line, then serves it with `next start`. Arguments are passed on:
//   npm start -- -p 4000
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureCurrentBuild, root } from './build-state.mjs';

try {
  ensureCurrentBuild();
} catch (error) {
  console.error(`npm start: ${error.message}`);
  process.exit(1);
}

const server = spawn(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'start', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? '1' },
});
// Ctrl-C and a service manager's stop reach the server, which shuts down on its own.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
