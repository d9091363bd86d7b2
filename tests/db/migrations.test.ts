import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from '@/lib/db/migrate';
import { migrationsDir } from '@/lib/db/migrations';
import { sqliteFilePath } from '@/lib/db/provider';
import { pendingMigrationSql } from '@/prisma/new-migration';
import { derivePostgresSchema } from '@/prisma/generate.mjs';
import { scratchDatabases, testProviders, withPgClient } from '../support/databases';

const scratch = scratchDatabases();

type ColumnRow = { table_name: string; column_name: string };

async function columnsOf(provider: 'sqlite' | 'postgresql', url: string): Promise<string[]> {
  let rows: ColumnRow[];
  if (provider === 'sqlite') {
    const db = new Database(sqliteFilePath(url), { readonly: true });
    rows = db
      .prepare(
        "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
      )
      .all() as ColumnRow[];
    db.close();
  } else {
    rows = await withPgClient(url, async (client) =>
      (await client.query<ColumnRow>("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'")).rows,
    );
  }
  return rows.map((row) => `${row.table_name}.${row.column_name}`).sort();
}

describe.each(testProviders)('migrations on %s', (provider) => {
  const committed = readdirSync(migrationsDir(provider), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

  it('apply every committed migration to an empty database, then nothing on the next run', async () => {
    const { url } = await scratch(provider);
    expect((await migrateDatabase(url)).applied).toEqual(committed);
    expect((await migrateDatabase(url)).applied).toEqual([]);
  });

  it("record themselves in Prisma's own table, with Prisma's checksums", async () => {
    const { url } = await scratch(provider);
    await migrateDatabase(url);
    const query = 'SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name';
    type Row = { migration_name: string; checksum: string; finished_at: unknown };
    const rows: Row[] =
      provider === 'sqlite'
        ? (new Database(sqliteFilePath(url)).prepare(query).all() as Row[])
        : await withPgClient(url, async (client) => (await client.query<Row>(query)).rows);
    expect(rows.map((row) => row.migration_name)).toEqual(committed);
    for (const row of rows) {
      const sql = readFileSync(path.join(migrationsDir(provider), row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
    }
  });
});

describe('the schema and its migrations', () => {
  it('SQLite migrations produce exactly the schema (no change left to migrate)', async () => {
    const { url } = await scratch('sqlite');
    expect(await pendingMigrationSql('sqlite', url)).toBe('');
  });

  it('the PostgreSQL schema is derived from the SQLite one', () => {
    const root = process.cwd();
    const derived = derivePostgresSchema(readFileSync(path.join(root, 'prisma/schema.prisma'), 'utf8'));
    expect(readFileSync(path.join(root, 'prisma/postgres/schema.prisma'), 'utf8')).toBe(derived);
  });

  it.runIf(testProviders.includes('postgresql'))('SQLite and PostgreSQL migrations create the same tables and columns', async () => {
    const sqlite = await scratch('sqlite');
    const postgres = await scratch('postgresql');
    await migrateDatabase(sqlite.url);
    await migrateDatabase(postgres.url);
    const sqliteColumns = await columnsOf('sqlite', sqlite.url);
    expect(sqliteColumns).toContain('Prediction.confidence');
    expect(await columnsOf('postgresql', postgres.url)).toEqual(sqliteColumns);
  });
});
