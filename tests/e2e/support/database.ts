import Database from 'better-sqlite3';
import { e2eDatabaseFile } from '../../../playwright.config';

/** Reads the database the e2e server writes to: assertions are on what was stored. */
export function queryE2eDatabase<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(e2eDatabaseFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Polls until the query returns at least `count` rows: records reach the server just after the reply shows. */
export async function waitForRows<T>(count: number, sql: string, ...params: unknown[]): Promise<T[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const rows = queryE2eDatabase<T>(sql, ...params);
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
