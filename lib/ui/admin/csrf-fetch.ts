'use client';

/** A same-origin JSON POST carrying the session's CSRF token, as every state-changing admin API requires. */
export async function adminPost(url: string, csrfToken: string, body?: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'x-csrf-token': csrfToken },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
