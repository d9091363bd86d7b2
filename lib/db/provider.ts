import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';

export type DbProvider = 'sqlite' | 'postgresql';

export function providerOf(databaseUrl: string): DbProvider {
  return databaseUrl.startsWith('file:') ? 'sqlite' : 'postgresql';
}

/** The SQLite file a `file:` URL names, relative paths taken from the project root. */
export function sqliteFilePath(databaseUrl: string): string {
  const [file = ''] = databaseUrl.slice('file:'.length).split('?');
  if (file === ':memory:') return file;
  return path.resolve(/*turbopackIgnore: true*/ process.cwd(), file);
}

/** A Prisma driver-adapter factory for the database the URL names. */
export function createAdapterFactory(databaseUrl: string) {
  if (providerOf(databaseUrl) === 'sqlite') {
    const file = sqliteFilePath(databaseUrl);
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    return new PrismaBetterSqlite3({ url: file });
  }
  return new PrismaPg({ connectionString: databaseUrl });
}
