import { readdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from '@/lib/db/migrate';
import { migrationsDir } from '@/lib/db/migrations';
import { pendingMigrations } from '@/lib/db/pending-migrations';
import { sqliteFilePath } from '@/lib/db/provider';
import { scratchDatabases, testProviders, withPgClient } from '../support/databases';

const scratch = scratchDatabases();

const committed = (provider: 'sqlite' | 'postgresql') =>
  readdirSync(migrationsDir(provider), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

describe.each(testProviders)('pendingMigrations on %s', (provider) => {
  it('lists every committed migration for a new database and none once it is migrated', async () => {
    const { url } = await scratch(provider);
    expect(committed(provider).length).toBeGreaterThan(0);
    expect(await pendingMigrations(url)).toEqual(committed(provider));
    await migrateDatabase(url);
    expect(await pendingMigrations(url)).toEqual([]);
  });

  it('counts a migration whose recorded checksum differs as not applied', async () => {
    const { url } = await scratch(provider);
    await migrateDatabase(url);
    const [first] = committed(provider);
    const sql = `UPDATE _prisma_migrations SET checksum = 'edited' WHERE migration_name = '${first}'`;
    if (provider === 'sqlite') {
      const file = new Database(sqliteFilePath(url));
      file.exec(sql);
      file.close();
    } else {
      await withPgClient(url, (client) => client.query(sql));
    }
    expect(await pendingMigrations(url)).toEqual([first]);
  });
});

describe('migrateDatabase on a SQLite file another process has open', () => {
  it('leaves an up-to-date file alone (the schema engine could not lock it)', async () => {
    const { url } = await scratch('sqlite');
    await migrateDatabase(url);
    const server = new Database(sqliteFilePath(url));
    try {
      server.prepare('SELECT count(*) FROM _prisma_migrations').get();
      // The schema engine would fail here (it cannot lock the file): an up-to-date file is only read.
      expect(await migrateDatabase(url)).toEqual({ provider: 'sqlite', applied: [] });
    } finally {
      server.close();
    }
  });

  it('says in one sentence why it cannot migrate a file that is behind', async () => {
    const { url } = await scratch('sqlite');
    await migrateDatabase(url);
    const server = new Database(sqliteFilePath(url));
    try {
      server.exec('DELETE FROM _prisma_migrations');
      // Every committed migration is pending again, and the sentence names them all.
      await expect(migrateDatabase(url)).rejects.toThrow(
        new Error(`${sqliteFilePath(url)} needs migrating (${committed('sqlite').join(', ')}) but another process, such as a running server, has it open: stop that process and run this again.`),
      );
    } finally {
      server.close();
    }
  });
});
