#!/usr/bin/env node
// Completes package-lock.json with the platform-specific optional packages the registry
// reachable here does not serve (macOS, Windows, Android… builds of native tools such as
// @next/swc, @tailwindcss/oxide). `npm install` leaves them out of the lockfile when it cannot
// fetch their metadata, and `npm ci` then refuses the lockfile as out of sync. Each entry
// records only what npm needs to skip the package on other platforms: its version and the
// os/cpu/libc it is built for, read from its name. Run after `npm install` changes the lockfile:
//   node lib/setup/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const lockPath = path.join(root, 'package-lock.json');

const OS = { android: 'android', darwin: 'darwin', freebsd: 'freebsd', linux: 'linux', win32: 'win32', openharmony: 'openharmony', wasm32: null };
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'ppc64', 'riscv64', 's390x', 'wasm32'];

/** os, cpu and libc of a platform package, from a name like `swc-linux-arm64-musl`. */
export function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((part) => part in OS);
  if (!os) return null;
  let cpu = parts.find((part) => CPU.includes(part));
  if (!cpu && parts.includes('arm')) cpu = 'arm';
  const libc = parts.some((part) => part.startsWith('musl')) ? 'musl' : parts.some((part) => part.startsWith('gnu')) ? 'glibc' : null;
  if (os === 'wasm32') return { cpu: ['wasm32'] };
  // Key order as npm writes it, so a later `npm install` leaves the entries as they are.
  return { ...(cpu ? { cpu: [cpu] } : {}), os: [OS[os]], ...(os === 'linux' && libc ? { libc: [libc] } : {}) };
}

export function completeLockfile(lock) {
  const added = [];
  for (const [location, entry] of Object.entries(lock.packages)) {
    for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const nested = `${location ? `${location}/` : ''}node_modules/${name}`;
      if (lock.packages[nested] || lock.packages[`node_modules/${name}`]) continue;
      const platform = platformOf(name);
      if (!platform) continue;
      lock.packages[`node_modules/${name}`] = {
        version,
        ...(entry.dev ? { dev: true } : {}),
        optional: true,
        ...platform,
      };
      added.push(`${name}@${version}`);
    }
  }
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
  return added;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  const added = completeLockfile(lock);
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(added.length ? `package-lock.json: added ${added.length} platform packages (${added.join(', ')})` : 'package-lock.json: complete');
}
