'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * JSON from a same-origin admin route, asked for again every `intervalMs` while the page is
 * visible (at once when it becomes visible again), starting from what the server page
 * rendered, or asked for at once when `initial` is null (nothing rendered). `refresh()` asks now (after an action). An answer that fails keeps the last data and
 * sets `stale`; an answer to an older request never replaces a newer one.
 */
export function usePolledJson<T>(url: string, initial: T, intervalMs: number): { data: T; stale: boolean; refresh: () => Promise<void> } {
  const [data, setData] = useState(initial);
  const [stale, setStale] = useState(false);
  const latest = useRef(0);

  const refresh = useCallback(async () => {
    const request = ++latest.current;
    try {
      const response = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
      if (!response.ok) throw new Error(String(response.status));
      const body = (await response.json()) as T;
      if (request === latest.current) {
        setData(body);
        setStale(false);
      }
    } catch {
      if (request === latest.current) setStale(true);
    }
  }, [url]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;
    const tick = async () => {
      if (document.visibilityState === 'visible') await refresh();
      if (!stopped) timer = setTimeout(tick, intervalMs);
    };
    timer = setTimeout(tick, initial === null ? 0 : intervalMs);
    const onVisible = () => document.visibilityState === 'visible' && void refresh();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
    // `initial` only decides the first wait; a new value is not a reason to start again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [refresh, intervalMs]);

  return { data, stale, refresh };
}
