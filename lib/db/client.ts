import 'server-only';
import { PrismaClient as SqliteClient } from '@/lib/generated/sqlite/client';
import { PrismaClient as PostgresClient } from '@/lib/generated/postgres/client';
import { getConfig } from '@/lib/config';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
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
  return new SqliteClient({ adapter: withConnectionPragmas(adapter, SQLITE_CONNECTION_PRAGMAS) });
}

/**
 * Per-connection SQLite settings (write-ahead logging itself persists in the file; the
 * migration sets it). With WAL, synchronous=NORMAL syncs the log at checkpoints instead of
 * at every commit: a crash of the server loses nothing and the file cannot be corrupted;
 * only a power cut or OS crash may undo the last moments of commits. Another process on the
 * same file (the server and `npm run admin:create`) waits up to busy_timeout for the other's
 * write to commit instead of failing at once.
 */
const SQLITE_CONNECTION_PRAGMAS = 'PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;';

function withConnectionPragmas<F extends SqlDriverAdapterFactory>(factory: F, pragmas: string): F {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    await adapter.executeScript(pragmas);
    return adapter;
  };
  return factory;
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
