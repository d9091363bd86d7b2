'use client';

import { usePolledJson } from './use-polled-json';

/** How often the navigation asks how many conversations wait for a person. */
const COUNT_INTERVAL_MS = 5000;

/**
 * The inbox's count in the navigation: conversations waiting for a person, updated without a
 * reload. Hidden at zero; its text says what it counts for a screen reader.
 */
export function InboxBadge() {
  const { data } = usePolledJson<{ waiting: number; mine: number } | null>('/api/admin/inbox/count', null, COUNT_INTERVAL_MS);
  const waiting = data?.waiting ?? 0;
  const mine = data?.mine ?? 0;
  return (
    <span data-testid="inbox-badge" data-waiting={waiting} data-mine={mine}>
      {waiting > 0 ? (
        <span className="ml-1.5 inline-grid min-w-5 place-items-center rounded-full bg-amber-500 px-1.5 text-xs leading-5 font-semibold text-amber-950 tabular-nums">
          {waiting > 99 ? '99+' : waiting}
          <span className="sr-only"> waiting</span>
        </span>
      ) : null}
      {mine > 0 ? <span className="sr-only">, {mine} yours</span> : null}
    </span>
  );
}
