export const OVERVIEW_PERIODS = { '7': 7, '30': 30, '90': 90, '365': 365 } as const;
export type OverviewPeriod = keyof typeof OVERVIEW_PERIODS;

/** The overview's period (days back from now) and the intent whose words are shown, from the URL. */
export function parseOverviewParams(params: Record<string, string | string[] | undefined>, now = new Date()) {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const daysParam = first(params.days) ?? '30';
  // Own keys only: `in` would take `constructor` or `toString` from Object's prototype.
  const period: OverviewPeriod = Object.hasOwn(OVERVIEW_PERIODS, daysParam) ? (daysParam as OverviewPeriod) : '30';
  const intentParam = first(params.intent);
  const intent = intentParam && /^[\w.?-]{1,100}$/.test(intentParam) ? intentParam : undefined;
  return { period, since: new Date(now.getTime() - OVERVIEW_PERIODS[period] * 24 * 60 * 60 * 1000), intent };
}

export const QUEUE_PERIODS = ['7', '30', '90', 'all'] as const;
export type QueuePeriod = (typeof QUEUE_PERIODS)[number];

/** The queue's page and period (default the last 30 days) from the URL. */
export function parseQueueParams(params: Record<string, string | string[] | undefined>, now = new Date()) {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const page = Math.max(1, Math.min(100_000, Math.floor(Number(first(params.page))) || 1));
  const raw = first(params.days) ?? '30';
  const days: QueuePeriod = (QUEUE_PERIODS as readonly string[]).includes(raw) ? (raw as QueuePeriod) : '30';
  const since = days === 'all' ? undefined : new Date(now.getTime() - Number(days) * 24 * 60 * 60 * 1000);
  return { page, days, since };
}
