import 'server-only';
import { PrismaClient as SqliteClient } from '@/lib/generated/sqlite/client';
import { PrismaClient as PostgresClient } from '@/lib/generated/postgres/client';
import { getConfig } from '@/lib/config';
import { createAdapterFactory, providerOf } from './provider';

/**
 * Both clients are generated from one schema, so their model APIs are the same; the
 * SQLite client's type stands for both.
 */
export type Db = SqliteClient;

export function createDb(databaseUrl: string): Db {
  const adapter = createAdapterFactory(databaseUrl);
  if (providerOf(databaseUrl) === 'postgresql') {
    return new PostgresClient({ adapter }) as unknown as Db;
  }
  return new SqliteClient({ adapter });
}

// One client per server process; kept on globalThis so hot reloads in development reuse it.
const globalForDb = globalThis as unknown as { glassdeskDb?: Db };

export function db(): Db {
  globalForDb.glassdeskDb ??= createDb(getConfig().DATABASE_URL);
  return globalForDb.glassdeskDb;
}

/** Points this process at another database (tests, command-line tools). */
export async function connectDatabase(databaseUrl: string): Promise<Db> {
  await globalForDb.glassdeskDb?.$disconnect();
  globalForDb.glassdeskDb = createDb(databaseUrl);
  return globalForDb.glassdeskDb;
}
