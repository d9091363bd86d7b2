import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { providerOf, createAdapterFactory, sqliteFilePath } from './provider';
import { migrationsDir, readMigrations } from './migrations';
import { openSchemaEngine } from './schema-engine';

export type MigrationReport = { provider: string; applied: string[] };

/**
 * Brings the database to the latest committed migration. Safe to run on every start:
 * applied migrations are skipped, and PostgreSQL runs take Prisma's advisory lock.
 */
export async function migrateDatabase(databaseUrl: string): Promise<MigrationReport> {
  const provider = providerOf(databaseUrl);
  // Before the engine connects: switching the journal mode needs the only connection.
  if (provider === 'sqlite') await enableWriteAheadLog(databaseUrl);
  const { engine, close } = await openSchemaEngine(createAdapterFactory(databaseUrl));
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: await readMigrations(migrationsDir(provider)),
      filters: { externalTables: [], externalEnums: [] },
    });
    return { provider, applied: appliedMigrationNames };
  } finally {
    await close();
  }
}

/** WAL lets readers work while a request writes; the setting persists in the file. */
async function enableWriteAheadLog(databaseUrl: string) {
  const file = sqliteFilePath(databaseUrl);
  if (file === ':memory:') return;
  mkdirSync(path.dirname(file), { recursive: true });
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}
