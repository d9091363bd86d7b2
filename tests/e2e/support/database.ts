import Database from 'better-sqlite3';
import { e2eDatabaseFile } from '../../../playwright.config';

/** Reads a SQLite database a server under test writes to: assertions are on what was stored. */
export function queryDatabase<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Reads the database the shared e2e server (playwright.config.ts) writes to. */
export function queryE2eDatabase<T>(sql: string, ...params: unknown[]): T[] {
  return queryDatabase<T>(e2eDatabaseFile, sql, ...params);
}

/** Polls `file` until the query returns at least `count` rows: records reach the server just after the reply shows. */
export async function waitForRowsIn<T>(file: string, count: number, sql: string, ...params: unknown[]): Promise<T[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const rows = queryDatabase<T>(file, sql, ...params);
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Polls the shared e2e database until the query returns at least `count` rows. */
export function waitForRows<T>(count: number, sql: string, ...params: unknown[]): Promise<T[]> {
  return waitForRowsIn<T>(e2eDatabaseFile, count, sql, ...params);
}

/** Writes to the database the shared e2e server uses, for set-up the app has no API for. */
export function writeE2eDatabase(sql: string, ...params: unknown[]): number {
  const db = new Database(e2eDatabaseFile, { fileMustExist: true, timeout: 10_000 });
  try {
    return db.prepare(sql).run(...params).changes;
  } finally {
    db.close();
  }
}
