import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { db, connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import type { DbProvider } from '@/lib/db/provider';

/**
 * The model store the app's calls use in these tests (lib/model/versions.ts: versions are copied
 * into it, the bundled demo model on first use): a scratch folder per test file, never the
 * project's `./data/models`. Set when this module loads; a test file may set its own at its top
 * level, which runs before anything reads the configuration.
 */
const scratchStore = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-test-store-'));
process.env.MODEL_STORE_DIR = scratchStore;
afterAll(() => rmSync(scratchStore, { recursive: true, force: true }));

/**
 * The databases the store tests run on: always a real SQLite file, and PostgreSQL when the
 * test runner gives a server (TEST_POSTGRES_URL; `npm test` starts one when it can).
 */
export const testProviders: DbProvider[] = process.env.TEST_POSTGRES_URL ? ['sqlite', 'postgresql'] : ['sqlite'];

export type ScratchDatabase = { url: string; drop(): Promise<void> };

/** A fresh, empty database of the given kind. */
export async function createScratchDatabase(provider: DbProvider): Promise<ScratchDatabase> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-test-'));
    return { url: `file:${path.join(dir, 'test.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const serverUrl = process.env.TEST_POSTGRES_URL;
  if (!serverUrl) throw new Error('TEST_POSTGRES_URL is not set');
  const name = `glassdesk_test_${randomUUID().replace(/-/g, '')}`;
  await withPgClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withPgClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

export async function withPgClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Inside a describe block: a fresh migrated database of the given kind that the app's
 * queries (`db()`) use for the block's tests; dropped afterwards.
 */
export function withScratchDatabase(provider: DbProvider): () => ScratchDatabase {
  let database: ScratchDatabase | undefined;
  beforeAll(async () => {
    database = await createScratchDatabase(provider);
    await migrateDatabase(database.url);
    await connectDatabase(database.url);
  });
  afterAll(async () => {
    await db().$disconnect();
    await database?.drop();
  });
  return () => {
    if (!database) throw new Error('the scratch database is made in beforeAll');
    return database;
  };
}

/** Scratch databases made one by one in a test file's tests (unmigrated), all dropped after the file. */
export function scratchDatabases(): (provider: DbProvider) => Promise<ScratchDatabase> {
  const made: ScratchDatabase[] = [];
  afterAll(async () => {
    await Promise.all(made.map((database) => database.drop()));
  });
  return async (provider) => {
    const database = await createScratchDatabase(provider);
    made.push(database);
    return database;
  };
}
