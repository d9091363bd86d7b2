import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Admin sign-in' };

// The sign-in form's layout; authentication is wired in with the admin dashboard.
export default function AdminLoginPage() {
  return (
    <main className="mx-auto mt-16 max-w-sm rounded-2xl bg-white p-6 shadow-sm" data-testid="admin-login">
      <h1 className="text-lg font-semibold text-brand-900">glassdesk admin</h1>
      <p className="mt-1 text-sm text-slate-600">Sign in to review conversations and explanations.</p>
      <form className="mt-6 space-y-4" aria-describedby="admin-login-status">
        <div>
          <label htmlFor="email" className="block text-sm font-medium">E-mail</label>
          <input id="email" name="email" type="email" autoComplete="username" required disabled className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-2" />
        </div>
        <div>
          <label htmlFor="password" className="block text-sm font-medium">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required disabled className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-2" />
        </div>
        <p id="admin-login-status" role="status" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Placeholder: sign-in opens with the admin dashboard.
        </p>
        <button type="submit" disabled className="w-full rounded-lg bg-slate-300 px-4 py-2 font-medium text-white">Sign in</button>
      </form>
    </main>
  );
}
