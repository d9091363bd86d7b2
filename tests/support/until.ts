/**
 * Resolves when `check` holds, checked now and on every change `subscribe` reports (a chat
 * session's or a contrast runner's `subscribe`); rejects naming `what` after `timeoutMs`.
 */
export function until(subscribe: (listener: () => void) => () => void, check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const unsubscribe = subscribe(() => {
      if (!check()) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}
