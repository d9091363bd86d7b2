import 'server-only';
import { Decision } from '@/lib/generated/sqlite/enums';
import { db } from '../client';
import { fromSqlCount, fromSqlJson, provider, sqlDay, SqlParams } from '../dialect';

export type Overview = {
  since: Date;
  total: number;
  volume: { day: string; count: number }[];
  intents: { intent: string; count: number }[];
  decisions: { decision: string; count: number }[];
  confidence: { bin: number; count: number }[];
  feedback: { helpful: number; unhelpful: number; replies: number };
  faithfulness: { day: string; method: string; mean: number; count: number }[];
};

/** Aggregates for the overview page since a date; each is one grouped query on an indexed column. */
export async function overview(since: Date): Promise<Overview> {
  const dialect = provider();
  // Each statement below written as SQL takes one parameter, the start of the period.
  const period = new SqlParams(dialect);
  const param = period.time(since);
  const where = { createdAt: { gte: since } };
  const bin = dialect === 'postgresql' ? `LEAST(FLOOR(p."confidence" * 10), 9)::int` : `MIN(CAST(p."confidence" * 10 AS INTEGER), 9)`;
  type BinRow = { bin: number | bigint; count: number | bigint };
  const histogram = (condition: string, params: unknown[]) =>
    db().$queryRawUnsafe<BinRow[]>(`SELECT ${bin} AS bin, COUNT(*) AS count FROM "Prediction" p ${condition} GROUP BY 1`, ...params);
  const [total, all] = await Promise.all([db().prediction.count({ where }), db().prediction.count()]);
  // The histogram reads the confidence index alone over the whole log; when the period holds
  // most of the log, it is the whole log's histogram less that of the rows before the period.
  const confidenceHistogram = async (): Promise<Map<number, number>> => {
    const counts = new Map<number, number>();
    const add = (rows: BinRow[], sign: number) => rows.forEach((row) => counts.set(Number(row.bin), (counts.get(Number(row.bin)) ?? 0) + sign * fromSqlCount(row.count)));
    if (total === all) add(await histogram('', []), 1);
    else if (total > all / 2) {
      add(await histogram('', []), 1);
      add(await histogram(`WHERE p."createdAt" < ${param}`, period.values), -1);
    } else add(await histogram(`WHERE p."createdAt" >= ${param}`, period.values), 1);
    return counts;
  };
  const [volume, intents, decisions, bins, feedback, faithfulness] = await Promise.all([
    db().$queryRawUnsafe<{ day: string; count: number | bigint }[]>(
      `SELECT ${sqlDay('p."createdAt"', dialect)} AS day, COUNT(*) AS count FROM "Prediction" p WHERE p."createdAt" >= ${param} GROUP BY 1 ORDER BY 1`,
      ...period.values,
    ),
    db().prediction.groupBy({ by: ['intent'], where, _count: { _all: true } }),
    db().prediction.groupBy({ by: ['decision'], where, _count: { _all: true } }),
    confidenceHistogram(),
    db().feedback.groupBy({ by: ['helpful'], where, _count: { _all: true } }),
    db().$queryRawUnsafe<{ day: string; method: string; mean: number; count: number | bigint }[]>(
      `SELECT ${sqlDay('e."createdAt"', dialect)} AS day, e."method" AS method, AVG(e."comprehensiveness") AS mean, COUNT(*) AS count
         FROM "Explanation" e WHERE e."createdAt" >= ${param} AND e."comprehensiveness" IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
      ...period.values,
    ),
  ]);
  return {
    since,
    total,
    volume: volume.map((row) => ({ day: row.day, count: fromSqlCount(row.count) })),
    intents: intents.map((row) => ({ intent: row.intent, count: row._count._all })).sort((a, b) => b.count - a.count || a.intent.localeCompare(b.intent)),
    decisions: Object.values(Decision).map((decision) => ({ decision, count: decisions.find((row) => row.decision === decision)?._count._all ?? 0 })),
    confidence: Array.from({ length: 10 }, (_, i) => ({ bin: i, count: bins.get(i) ?? 0 })),
    feedback: {
      helpful: feedback.find((row) => row.helpful)?._count._all ?? 0,
      unhelpful: feedback.find((row) => !row.helpful)?._count._all ?? 0,
      // Every stored prediction has its reply.
      replies: total,
    },
    faithfulness: faithfulness.map((row) => ({ day: row.day, method: row.method, mean: Number(row.mean), count: fromSqlCount(row.count) })),
  };
}

export type WordWeight = { word: string; mean: number; count: number };

/**
 * Bounds on what the overview's word importance reads, whatever visitors stored: the latest
 * `rows` LIME explanations of the intent, and of those only payloads up to `payloadBytes` (a
 * real one is about 150 bytes a word, so 64 KiB holds a 400-word message). At most 200 × 64 KiB
 * = 12.5 MiB per view, where the 1 MiB explanation cap would otherwise allow 1 MiB a row.
 */
export const LIME_OVERVIEW_LIMITS = { rows: 200, payloadBytes: 64 * 1024 } as const;

export type LimeOverviewRow = { payload: unknown; text: string };

/**
 * The rows `limeWordImportance` aggregates, read within LIME_OVERVIEW_LIMITS: the newest
 * explanations are chosen first (by the intent-and-date index), and only then are those over the
 * size bound left out, so the database sizes at most `rows` payloads. SQLite reads a value's
 * size from the record header; PostgreSQL's stored (possibly compressed) size is checked before
 * the text size, so only payloads that are small on disk are ever serialised.
 */
export async function limeOverviewRows(intent: string, since: Date, limits: { rows: number; payloadBytes: number } = LIME_OVERVIEW_LIMITS): Promise<LimeOverviewRow[]> {
  const params = new SqlParams();
  const rows = Math.floor(limits.rows);
  const bytes = Math.floor(limits.payloadBytes);
  const inner = `SELECT e."id" AS id, p."messageId" AS "messageId"
               FROM "Prediction" p JOIN "Explanation" e ON e."predictionId" = p."id" AND e."method" = 'lime'
              WHERE p."intent" = ${params.add(intent)} AND p."createdAt" >= ${params.time(since)}
              ORDER BY p."createdAt" DESC, p."id" DESC
              LIMIT ${params.add(rows)}`;
  const max = params.add(bytes);
  // PostgreSQL takes a placeholder more than once; SQLite's `?` is used once.
  const size = params.postgres
    ? `CASE WHEN pg_column_size(e."payload") > ${max} THEN ${max} + 1 ELSE octet_length(e."payload"::text) END <= ${max}`
    : `octet_length(e."payload") <= ${max}`;
  const found = await db().$queryRawUnsafe<{ payload: unknown; text: string }[]>(
    `SELECT e."payload" AS payload, m."text" AS text
       FROM (${inner}) latest
       JOIN "Explanation" e ON e."id" = latest.id
       JOIN "Message" m ON m."id" = latest."messageId"
      WHERE ${size}`,
    ...params.values,
  );
  return found.map((row) => ({ payload: fromSqlJson(row.payload), text: row.text }));
}

/**
 * Global word importance for one intent: the mean LIME weight of each word (lower-cased) over the
 * latest stored LIME explanations of predictions with that intent (read within
 * LIME_OVERVIEW_LIMITS), words seen at least `minCount` times, strongest first. A word counts
 * only where it is the stored message's own text at its position: words a client made up, or
 * placed where the message says something else, are left out.
 */
export async function limeWordImportance(intent: string, since: Date, minCount = 2, top = 15): Promise<{ explanations: number; words: WordWeight[] }> {
  const rows = await limeOverviewRows(intent, since);
  const sums = new Map<string, { total: number; count: number }>();
  let explanations = 0;
  for (const row of rows) {
    const payload = row.payload as { words?: unknown; scores?: unknown; target?: { label?: unknown } } | null;
    if (!payload || !Array.isArray(payload.words) || !Array.isArray(payload.scores) || payload.target?.label !== intent) continue;
    explanations++;
    const scores = payload.scores as unknown[];
    (payload.words as unknown[]).forEach((word, i) => {
      const score = scores[i];
      if (typeof score !== 'number' || !Number.isFinite(score) || !isWordOf(word, row.text)) return;
      const key = word.text.toLowerCase();
      const entry = sums.get(key) ?? { total: 0, count: 0 };
      entry.total += score;
      entry.count += 1;
      sums.set(key, entry);
    });
  }
  const words = [...sums.entries()]
    .filter(([, entry]) => entry.count >= minCount)
    .map(([word, entry]) => ({ word, mean: entry.total / entry.count, count: entry.count }))
    .sort((a, b) => Math.abs(b.mean) - Math.abs(a.mean) || a.word.localeCompare(b.word))
    .slice(0, top);
  return { explanations, words };
}

/** True when `word` is a non-empty span of `text` holding exactly its own text. */
function isWordOf(word: unknown, text: string): word is { text: string; start: number; end: number } {
  if (typeof word !== 'object' || word === null) return false;
  const { text: wordText, start, end } = word as { text?: unknown; start?: unknown; end?: unknown };
  return (
    typeof wordText === 'string' &&
    wordText.trim() !== '' &&
    Number.isSafeInteger(start) &&
    Number.isSafeInteger(end) &&
    (start as number) >= 0 &&
    (end as number) === (start as number) + wordText.length &&
    (end as number) <= text.length &&
    text.startsWith(wordText, start as number)
  );
}
