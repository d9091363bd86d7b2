import { describe, expect, it } from 'vitest';
import { fromSqlJson, sqlBoolean, sqlDay, SqlParams, sqlTimestamp } from '@/lib/db/dialect';
import { filterSql } from '@/lib/db/queries/admin';
import { db } from '@/lib/db/client';
import { testProviders, withScratchDatabase } from '../support/databases';

describe('the SQL dialect', () => {
  it('numbers PostgreSQL placeholders in order, with casts, and writes SQLite’s as ?', () => {
    const pg = new SqlParams('postgresql');
    expect([pg.add('a'), pg.add('answer', '"Decision"'), pg.time(new Date('2026-01-02T03:04:05.678Z'))]).toEqual(['$1', 'CAST($2 AS "Decision")', '$3']);
    expect(pg.values).toEqual(['a', 'answer', new Date('2026-01-02T03:04:05.678Z')]);
    const sqlite = new SqlParams('sqlite');
    expect([sqlite.add('a'), sqlite.add('answer', '"Decision"'), sqlite.time(new Date('2026-01-02T03:04:05.678Z'))]).toEqual(['?', '?', '?']);
    expect(sqlite.values).toEqual(['a', 'answer', '2026-01-02T03:04:05.678+00:00']);
  });

  it('writes timestamps, booleans and days as each database keeps them', () => {
    const at = new Date('2026-05-06T07:08:09.010Z');
    expect(sqlTimestamp(at, 'postgresql')).toBe(at);
    expect(sqlTimestamp(at, 'sqlite')).toBe('2026-05-06T07:08:09.010+00:00');
    expect([sqlBoolean(true, 'sqlite'), sqlBoolean(false, 'sqlite'), sqlBoolean(true, 'postgresql')]).toEqual(['1', '0', 'true']);
    expect(sqlDay('p."createdAt"', 'sqlite')).toBe('substr(p."createdAt", 1, 10)');
    expect(fromSqlJson('{"a":[1]}')).toEqual({ a: [1] });
    expect(fromSqlJson({ a: [1] })).toEqual({ a: [1] });
  });
});

describe.each(testProviders)('the dialect against the stored form on %s', (provider) => {
  withScratchDatabase(provider);

  // The log's date filters compare with the form the query API stores, to the millisecond.
  it('compares a stored timestamp with a raw-SQL parameter at its exact instant', async () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    await db().conversation.create({ data: { id: 'c', botId: 'banking77', createdAt: at, updatedAt: at } });
    const count = async (op: string, when: Date) => {
      const params = new SqlParams();
      const rows = await db().$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS n FROM "Conversation" WHERE "createdAt" ${op} ${params.time(when)}`, ...params.values);
      return Number(rows[0]!.n);
    };
    expect(await count('=', at)).toBe(1);
    expect(await count('>=', new Date(at.getTime() + 1))).toBe(0);
    expect(await count('<=', new Date(at.getTime() - 1))).toBe(0);
    expect(filterSql({ disagree: 'yes', from: at }).params).toHaveLength(1);
  });
});
