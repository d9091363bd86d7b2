import 'server-only';
import { db } from '../client';

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

function isPostgres(): boolean {
  return (db() as unknown as { _activeProvider: string })._activeProvider === 'postgresql';
}

/** The day of a timestamp column as YYYY-MM-DD (UTC): SQLite stores ISO text, PostgreSQL UTC timestamps without a zone. */
const dayOf = (column: string) => (isPostgres() ? `to_char(${column}, 'YYYY-MM-DD')` : `substr(${column}, 1, 10)`);

/** Aggregates for the overview page since a date; each is one grouped query on an indexed column. */
export async function overview(since: Date): Promise<Overview> {
  const param = isPostgres() ? '$1' : '?';
  const where = { createdAt: { gte: since } };
  const at = isPostgres() ? since : since.toISOString().replace('Z', '+00:00');
  const bin = isPostgres() ? `LEAST(FLOOR(p."confidence" * 10), 9)::int` : `MIN(CAST(p."confidence" * 10 AS INTEGER), 9)`;
  type BinRow = { bin: number | bigint; count: number | bigint };
  const histogram = (condition: string, params: unknown[]) =>
    db().$queryRawUnsafe<BinRow[]>(`SELECT ${bin} AS bin, COUNT(*) AS count FROM "Prediction" p ${condition} GROUP BY 1`, ...params);
  const [total, all] = await Promise.all([db().prediction.count({ where }), db().prediction.count()]);
  // The histogram reads the confidence index alone over the whole log; when the period holds
  // most of the log, it is the whole log's histogram less that of the rows before the period.
  const confidenceHistogram = async (): Promise<Map<number, number>> => {
    const counts = new Map<number, number>();
    const add = (rows: BinRow[], sign: number) => rows.forEach((row) => counts.set(Number(row.bin), (counts.get(Number(row.bin)) ?? 0) + sign * Number(row.count)));
    if (total === all) add(await histogram('', []), 1);
    else if (total > all / 2) {
      add(await histogram('', []), 1);
      add(await histogram(`WHERE p."createdAt" < ${param}`, [at]), -1);
    } else add(await histogram(`WHERE p."createdAt" >= ${param}`, [at]), 1);
    return counts;
  };
  const [volume, intents, decisions, bins, feedback, faithfulness] = await Promise.all([
    db().$queryRawUnsafe<{ day: string; count: number | bigint }[]>(
      `SELECT ${dayOf('p."createdAt"')} AS day, COUNT(*) AS count FROM "Prediction" p WHERE p."createdAt" >= ${param} GROUP BY 1 ORDER BY 1`,
      at,
    ),
    db().prediction.groupBy({ by: ['intent'], where, _count: { _all: true } }),
    db().prediction.groupBy({ by: ['decision'], where, _count: { _all: true } }),
    confidenceHistogram(),
    db().feedback.groupBy({ by: ['helpful'], where, _count: { _all: true } }),
    db().$queryRawUnsafe<{ day: string; method: string; mean: number; count: number | bigint }[]>(
      `SELECT ${dayOf('e."createdAt"')} AS day, e."method" AS method, AVG(e."comprehensiveness") AS mean, COUNT(*) AS count
         FROM "Explanation" e WHERE e."createdAt" >= ${param} AND e."comprehensiveness" IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
      at,
    ),
  ]);
  return {
    since,
    total,
    volume: volume.map((row) => ({ day: row.day, count: Number(row.count) })),
    intents: intents.map((row) => ({ intent: row.intent, count: row._count._all })).sort((a, b) => b.count - a.count || a.intent.localeCompare(b.intent)),
    decisions: ['answer', 'clarify', 'handoff'].map((decision) => ({ decision, count: decisions.find((row) => row.decision === decision)?._count._all ?? 0 })),
    confidence: Array.from({ length: 10 }, (_, i) => ({ bin: i, count: bins.get(i) ?? 0 })),
    feedback: {
      helpful: feedback.find((row) => row.helpful)?._count._all ?? 0,
      unhelpful: feedback.find((row) => !row.helpful)?._count._all ?? 0,
      // Every stored prediction has its reply.
      replies: total,
    },
    faithfulness: faithfulness.map((row) => ({ day: row.day, method: row.method, mean: Number(row.mean), count: Number(row.count) })),
  };
}

export type WordWeight = { word: string; mean: number; count: number };

/**
 * Global word importance for one intent: the mean LIME weight of each word (lower-cased)
 * over the latest `limit` stored LIME explanations of predictions with that intent, words
 * seen at least `minCount` times, strongest first.
 */
export async function limeWordImportance(intent: string, since: Date, limit = 1000, minCount = 2, top = 15): Promise<{ explanations: number; words: WordWeight[] }> {
  const predictions = await db().prediction.findMany({
    where: { intent, createdAt: { gte: since } },
    orderBy: { createdAt: 'desc' },
    take: limit,
    select: { id: true },
  });
  const rows = await db().explanation.findMany({
    where: { method: 'lime', predictionId: { in: predictions.map((p) => p.id) } },
    select: { payload: true },
  });
  const sums = new Map<string, { total: number; count: number }>();
  for (const row of rows) {
    const payload = row.payload as { words?: { text: string }[]; scores?: number[] | null; target?: { label?: string } };
    if (!payload.words || !payload.scores || payload.target?.label !== intent) continue;
    payload.words.forEach((word, i) => {
      const score = payload.scores![i];
      if (typeof score !== 'number' || !Number.isFinite(score)) return;
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
  return { explanations: rows.length, words };
}
