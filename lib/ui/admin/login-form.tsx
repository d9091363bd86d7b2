'use client';

import { useState } from 'react';

export function LoginForm() {
  const [status, setStatus] = useState<{ kind: 'idle' | 'busy' | 'error'; message?: string }>({ kind: 'idle' });

  async function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setStatus({ kind: 'busy' });
    try {
      const response = await fetch('/api/admin/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
      });
      if (response.ok) {
        window.location.replace('/admin');
        return;
      }
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      setStatus({ kind: 'error', message: body?.error?.message ?? `Sign-in failed (${response.status}).` });
    } catch {
      setStatus({ kind: 'error', message: 'The server could not be reached.' });
    }
  }

  return (
    <form className="mt-6 space-y-4" onSubmit={submit} aria-describedby="admin-login-status" data-testid="admin-login-form">
      <div>
        <label htmlFor="email" className="block text-sm font-medium">E-mail</label>
        <input id="email" name="email" type="email" autoComplete="username" required className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-2" />
      </div>
      <div>
        <label htmlFor="password" className="block text-sm font-medium">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-2" />
      </div>
      <p id="admin-login-status" role="status" data-testid="admin-login-status" className={status.kind === 'error' ? 'rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800' : 'sr-only'}>
        {status.kind === 'error' ? status.message : status.kind === 'busy' ? 'Signing in…' : ''}
      </p>
      <button type="submit" disabled={status.kind === 'busy'} className="w-full rounded-lg bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:bg-slate-400">
        Sign in
      </button>
    </form>
  );
}
