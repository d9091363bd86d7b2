import path from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import type { DbProvider } from './provider';

/** Where each provider's migrations live, in Prisma's own folder layout. */
export function migrationsDir(provider: DbProvider): string {
  return provider === 'sqlite'
    ? path.join(process.cwd(), 'prisma', 'migrations')
    : path.join(process.cwd(), 'prisma', 'postgres', 'migrations');
}

export function schemaPath(provider: DbProvider): string {
  return provider === 'sqlite'
    ? path.join(process.cwd(), 'prisma', 'schema.prisma')
    : path.join(process.cwd(), 'prisma', 'postgres', 'schema.prisma');
}

/** Reads a migrations folder into the shape Prisma's schema engine takes. */
export async function readMigrations(baseDir: string): Promise<MigrationList> {
  const lockfilePath = path.join(baseDir, 'migration_lock.toml');
  const entries = existsSync(baseDir) ? await readdir(baseDir, { withFileTypes: true }) : [];
  const directories = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return {
    baseDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockfilePath) ? await readFile(lockfilePath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      directories.map(async (name) => {
        const file = path.join(baseDir, name, 'migration.sql');
        let content: { tag: 'ok'; value: string } | { tag: 'error'; value: string };
        try {
          content = { tag: 'ok', value: await readFile(file, 'utf8') };
        } catch (error) {
          content = { tag: 'error', value: (error as Error).message };
        }
        return { path: name, migrationFile: { path: 'migration.sql', content } };
      }),
    ),
  };
}
