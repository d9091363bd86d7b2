import 'server-only';
import { db } from './client';
import type { DbProvider } from './provider';

/**
 * What SQLite and PostgreSQL write differently, in one place, for the statements written as SQL
 * text (`$queryRawUnsafe`). Tagged statements (`$queryRaw\`…\``) leave placeholders and value
 * conversion to Prisma and need none of this.
 */

/** The provider of the database this process is connected to. */
export function provider(): DbProvider {
  return (db() as unknown as { _activeProvider: string })._activeProvider === 'postgresql' ? 'postgresql' : 'sqlite';
}

/**
 * A statement's parameters, collected in order: `add` returns the placeholder to write where the
 * value goes (`$n` on PostgreSQL, `?` on SQLite), with a cast where PostgreSQL cannot infer the
 * type (an enum, a column of VALUES).
 */
export class SqlParams {
  readonly values: unknown[] = [];

  constructor(readonly dialect: DbProvider = provider()) {}

  get postgres(): boolean {
    return this.dialect === 'postgresql';
  }

  /** `pgType` is written as SQL (`'"Decision"'`, `'double precision'`) and used on PostgreSQL only. */
  add(value: unknown, pgType?: string): string {
    this.values.push(value);
    if (!this.postgres) return '?';
    return pgType ? `CAST($${this.values.length} AS ${pgType})` : `$${this.values.length}`;
  }

  /** A timestamp, compared or written in the form the database keeps (see `sqlTimestamp`). */
  time(date: Date, pgType?: string): string {
    return this.add(sqlTimestamp(date, this.dialect), pgType);
  }
}

/**
 * A timestamp as a parameter: PostgreSQL takes the Date; SQLite keeps DateTime columns as ISO
 * text with a `+00:00` offset, and text compares as text, so it is given that very form.
 */
export function sqlTimestamp(date: Date, dialect: DbProvider = provider()): Date | string {
  return dialect === 'postgresql' ? date : date.toISOString().replace('Z', '+00:00');
}

/** A boolean literal: SQLite stores booleans as 0 and 1. */
export function sqlBoolean(value: boolean, dialect: DbProvider = provider()): string {
  return dialect === 'postgresql' ? String(value) : value ? '1' : '0';
}

/** The day of a timestamp column as YYYY-MM-DD (UTC): SQLite stores ISO text, PostgreSQL UTC timestamps without a zone. */
export function sqlDay(column: string, dialect: DbProvider = provider()): string {
  return dialect === 'postgresql' ? `to_char(${column}, 'YYYY-MM-DD')` : `substr(${column}, 1, 10)`;
}

/** Case-insensitive LIKE (SQLite's LIKE is, for ASCII letters). */
export function sqlCaseInsensitiveLike(dialect: DbProvider = provider()): string {
  return dialect === 'postgresql' ? 'ILIKE' : 'LIKE';
}

/** A JSON value to write into a Json column through raw SQL: both databases take it as text. */
export function sqlJson(value: unknown): string {
  return JSON.stringify(value);
}

/** A Json column read through raw SQL: PostgreSQL hands back the value, SQLite its text. */
export function fromSqlJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/** A COUNT(*) or other integer aggregate: PostgreSQL's bigint arrives as a BigInt. */
export function fromSqlCount(value: number | bigint | null | undefined): number {
  return Number(value ?? 0);
}
