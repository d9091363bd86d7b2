import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDecision, currentBuildDecision, recordBuild, sourceHash } from '@/lib/setup/build-state.mjs';

describe('buildDecision', () => {
  const unknown = { build: true, reason: 'the build does not record which sources it was made from' };

  it('builds when there is no build, or no record of the sources of this build', () => {
    expect(buildDecision({ buildId: null, stamp: { buildId: 'b1', sourceHash: 'a' }, currentHash: 'a' })).toEqual({ build: true, reason: 'there is no build yet' });
    expect(buildDecision({ buildId: 'b1', stamp: null, currentHash: 'a' })).toEqual(unknown);
    // Built some other way since the record was written (`next build` by hand): sources unknown.
    expect(buildDecision({ buildId: 'b2', stamp: { buildId: 'b1', sourceHash: 'a' }, currentHash: 'a' })).toEqual(unknown);
  });

  it('builds when the sources changed, and not when they did not', () => {
    expect(buildDecision({ buildId: 'b1', stamp: { buildId: 'b1', sourceHash: 'a' }, currentHash: 'b' })).toEqual({
      build: true,
      reason: 'the sources changed since the last build',
    });
    expect(buildDecision({ buildId: 'b1', stamp: { buildId: 'b1', sourceHash: 'a' }, currentHash: 'a' })).toEqual({
      build: false,
      reason: 'the sources are unchanged since the last build',
    });
  });
});

describe('sourceHash and the decision for a checkout', () => {
  let dir: string;
  const write = (relative: string, content: string) => {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    writeFileSync(path.join(dir, relative), content);
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-build-state-'));
    write('app/page.tsx', 'export default function Page() { return null; }\n');
    write('lib/bot/answers/banking77.json', '{"bot":"banking77"}\n');
    write('public/models/banking77/config.json', '{}\n');
    write('prisma/schema.prisma', 'model A { id String @id }\n');
    write('package.json', '{"name":"glassdesk"}\n');
    write('package-lock.json', '{"lockfileVersion":3}\n');
    write('next.config.mjs', 'export default {};\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('changes with the content, name or presence of any build input', () => {
    const before = sourceHash(dir, {});
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(sourceHash(dir, {})).toBe(before);
    for (const change of [
      () => write('app/page.tsx', 'export default function Page() { return 1; }\n'),
      () => write('lib/new-helper.ts', 'export const x = 1;\n'),
      () => write('public/models/banking77/config.json', '{"labels":2}\n'),
      () => write('prisma/schema.prisma', 'model B { id String @id }\n'),
      () => write('package-lock.json', '{"lockfileVersion":3,"packages":{}}\n'),
      () => write('next.config.mjs', 'export default { poweredByHeader: false };\n'),
      () => write('.env.production', 'FOO=1\n'),
    ]) {
      const previous = sourceHash(dir, {});
      change();
      expect(sourceHash(dir, {})).not.toBe(previous);
    }
    // A file moved from one folder to another is a different source tree.
    const moved = sourceHash(dir, {});
    rmSync(path.join(dir, 'lib/new-helper.ts'));
    write('app/new-helper.ts', 'export const x = 1;\n');
    expect(sourceHash(dir, {})).not.toBe(moved);
  });

  it('ignores what is not a build input, and counts NEXT_PUBLIC_ variables', () => {
    const before = sourceHash(dir, { PORT: '3000' });
    write('node_modules/left-pad/index.js', 'module.exports = 1;\n');
    write('.next/BUILD_ID', 'abc\n');
    write('data/glassdesk.db', 'rows');
    write('tests/unit/x.test.ts', 'it();\n');
    write('README.md', '# changed\n');
    write('next-env.d.ts', '/// <reference types="next" />\n');
    expect(sourceHash(dir, { PORT: '4000', DATABASE_URL: 'file:./x.db' })).toBe(before);
    expect(sourceHash(dir, { NEXT_PUBLIC_BRAND: 'Lumen' })).not.toBe(before);
  });

  it('asks for a build until one is recorded, then only after a change', () => {
    expect(currentBuildDecision(dir).build).toBe(true);
    write('.next/BUILD_ID', 'abc\n');
    expect(currentBuildDecision(dir)).toMatchObject({ build: true, reason: 'the build does not record which sources it was made from' });
    recordBuild(dir);
    expect(currentBuildDecision(dir)).toMatchObject({ build: false, reason: 'the sources are unchanged since the last build' });
    write('lib/bot/answers/banking77.json', '{"bot":"banking77","name":"x"}\n');
    expect(currentBuildDecision(dir)).toMatchObject({ build: true, reason: 'the sources changed since the last build' });
    recordBuild(dir);
    expect(currentBuildDecision(dir).build).toBe(false);
    write('.next/BUILD_ID', 'def\n');
    expect(currentBuildDecision(dir)).toMatchObject({ build: true, reason: 'the build does not record which sources it was made from' });
  });
});
