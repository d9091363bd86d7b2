import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { providerOf, createAdapterFactory, sqliteFilePath } from './provider';
import { migrationsDir, readMigrations } from './migrations';
import { pendingMigrations } from './pending-migrations';
import { openSchemaEngine } from './schema-engine';

export type MigrationReport = { provider: string; applied: string[] };

/**
 * Brings the database to the latest committed migration. Safe to run on every start and beside
 * a running server: an up-to-date database is only read (Prisma's schema engine takes SQLite's
 * file in exclusive locking mode, which it cannot get while another process has the file open),
 * and PostgreSQL runs take Prisma's advisory lock.
 */
export async function migrateDatabase(databaseUrl: string): Promise<MigrationReport> {
  const provider = providerOf(databaseUrl);
  if (provider === 'sqlite') ensureDirectory(databaseUrl);
  const pending = await pendingMigrations(databaseUrl);
  if (pending.length === 0) return { provider, applied: [] };
  try {
    return await applyMigrations(databaseUrl);
  } catch (error) {
    if (provider === 'sqlite' && /SocketTimeout|SQLITE_BUSY|database is locked/i.test(String(error))) {
      throw new Error(
        `${sqliteFilePath(databaseUrl)} needs migrating (${pending.join(', ')}) but another process, such as a running server, has it open: stop that process and run this again.`,
      );
    }
    throw error;
  }
}

async function applyMigrations(databaseUrl: string): Promise<MigrationReport> {
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

function ensureDirectory(databaseUrl: string) {
  const file = sqliteFilePath(databaseUrl);
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
}

/** WAL lets readers work while a request writes; the setting persists in the file. */
async function enableWriteAheadLog(databaseUrl: string) {
  const file = sqliteFilePath(databaseUrl);
  if (file === ':memory:') return;
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}
