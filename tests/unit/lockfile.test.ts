import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { completeLockfile, platformOf } from '@/lib/setup/complete-lockfile.mjs';

describe('package-lock.json', () => {
  it('lists every platform package, so `npm ci` accepts it (run lib/setup/complete-lockfile.mjs if not)', () => {
    const lock = JSON.parse(readFileSync(path.join(process.cwd(), 'package-lock.json'), 'utf8'));
    expect(completeLockfile(lock)).toEqual([]);
  });

  it('reads the platform from a package name', () => {
    expect(platformOf('@next/swc-darwin-arm64')).toEqual({ cpu: ['arm64'], os: ['darwin'] });
    expect(platformOf('@unrs/resolver-binding-linux-riscv64-musl')).toEqual({ cpu: ['riscv64'], os: ['linux'], libc: ['musl'] });
    expect(platformOf('@tailwindcss/oxide-linux-arm-gnueabihf')).toEqual({ cpu: ['arm'], os: ['linux'], libc: ['glibc'] });
    expect(platformOf('@tailwindcss/oxide-wasm32-wasi')).toEqual({ cpu: ['wasm32'] });
    expect(platformOf('left-pad')).toBeNull();
  });
});
