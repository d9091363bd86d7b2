import { z } from 'zod';
import type { LogOrder, LogPageQuery } from '@/lib/db/queries/admin';
import { DECISIONS } from '@/lib/records/turn';

/**
 * The log's filters, sort and page, as they appear in the URL: the page, the export and the
 * JSON API read the same parameters, so a filtered view can be shared, reloaded and exported.
 */
export const SORT_FIELDS = ['time', 'confidence', 'intent', 'faithfulness'] as const satisfies readonly LogOrder['sort'][];
export type SortField = (typeof SORT_FIELDS)[number];
export const PAGE_SIZES = [25, 50, 100] as const;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((value) => (value ? value : undefined));

const optionalNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      const number = Number(value);
      if (!Number.isFinite(number) || number < min || number > max) {
        ctx.addIssue({ code: 'custom', message: `must be a number from ${min} to ${max}` });
        return z.NEVER;
      }
      return number;
    });

const optionalDate = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (!value) return undefined;
    const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'must be a date (YYYY-MM-DD)' });
      return z.NEVER;
    }
    return date;
  });

const enumOrAll = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .enum([...values, ''] as unknown as [T[number] | '', ...(T[number] | '')[]])
    .optional()
    .transform((value) => (value ? (value as T[number]) : undefined));

export const logQuerySchema = z.object({
  q: optionalText(200),
  intent: optionalText(100),
  decision: enumOrAll(DECISIONS),
  backend: enumOrAll(['webgpu', 'wasm', 'cpu'] as const),
  feedback: enumOrAll(['up', 'down', 'none', 'any'] as const),
  review: enumOrAll(['unreviewed', 'correct', 'relabelled', 'flagged', 'reviewed'] as const),
  verification: enumOrAll(['pending', 'verified', 'mismatch', 'failed'] as const),
  minConf: optionalNumber(0, 1),
  maxConf: optionalNumber(0, 1),
  from: optionalDate,
  to: optionalDate,
  faithBelow: optionalNumber(-1, 1),
  disagree: enumOrAll(['yes', 'no'] as const),
  sort: enumOrAll(SORT_FIELDS),
  dir: enumOrAll(['asc', 'desc'] as const),
  page: optionalNumber(1, 1_000_000),
  size: optionalNumber(1, 100),
});

/** A parsed view of the log: the filters, sort and page the log query takes (lib/db/queries/admin.ts). */
export type LogQuery = LogPageQuery;

export type SearchParams = Record<string, string | string[] | undefined>;

export class FilterError extends Error {
  constructor(readonly problems: { field: string; message: string }[]) {
    super(problems.map((p) => `${p.field} ${p.message}`).join('; '));
    this.name = 'FilterError';
  }
}

/** Reads the URL's parameters; an invalid value is an error the page shows, not a silent default. */
export function parseLogQuery(params: SearchParams | URLSearchParams): LogQuery {
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  const firsts = new Map<string, string>();
  for (const [key, value] of entries) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) firsts.set(key, first);
  }
  // Own properties only, whatever the names (`__proto__` set by assignment would be a prototype).
  const flat: Record<string, string> = Object.fromEntries(firsts);
  const result = logQuerySchema.safeParse(flat);
  if (!result.success) {
    throw new FilterError(result.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message })));
  }
  const { sort, dir, page, size, to, ...filters } = result.data;
  const rawTo = flat.to?.trim();
  const endOfDay = to && rawTo && /^\d{4}-\d{2}-\d{2}$/.test(rawTo) ? new Date(to.getTime() + 24 * 60 * 60 * 1000 - 1) : to;
  const clean = Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));
  return {
    ...clean,
    ...(endOfDay ? { to: endOfDay } : {}),
    sort: sort ?? 'time',
    dir: dir ?? (sort === 'intent' ? 'asc' : 'desc'),
    page: Math.floor(page ?? 1),
    size: PAGE_SIZES.includes(size as 25) ? (size as number) : 50,
  } as LogQuery;
}

/** The query string for a view: only what differs from the defaults, in a stable order. */
export function toSearchString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The raw (string) parameters of the current view, for building links that change one of them. */
export function rawParams(params: SearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first !== '' && Object.hasOwn(logQuerySchema.shape, key)) out[key] = first;
  }
  return out;
}
