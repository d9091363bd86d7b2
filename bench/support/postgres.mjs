// A fresh PostgreSQL database for a benchmark: on TEST_POSTGRES_URL's server when given, else on
// a throwaway server (tests/support/postgres-server.mjs), dropped with it afterwards.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startPostgres } from '../../tests/support/postgres-server.mjs';

/**
 * @param {{ beforeDrop?: () => Promise<void> }} [options] `beforeDrop`: what must let go of the
 *   database first (a Prisma client of the bench's own process).
 * @returns {Promise<{ url: string, drop(): Promise<void> } | null>} null when no server can be had.
 */
export async function scratchPostgresDatabase({ beforeDrop } = {}) {
  let server = null;
  let serverUrl = process.env.TEST_POSTGRES_URL;
  if (!serverUrl) {
    server = await startPostgres();
    if (!server) return null;
    serverUrl = server.url;
  }
  const name = `glassdesk_bench_${randomUUID().replace(/-/g, '')}`;
  /** @param {string} statement */
  const admin = async (statement) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await beforeDrop?.();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await server?.stop();
    },
  };
}
