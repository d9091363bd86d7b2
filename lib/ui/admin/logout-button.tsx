'use client';

import { adminPost } from './csrf-fetch';

export function LogoutButton({ csrfToken }: { csrfToken: string }) {
  return (
    <button
      type="button"
      data-testid="admin-logout"
      className="shrink-0 rounded-lg border border-slate-300 px-3 py-1 text-sm whitespace-nowrap hover:bg-slate-100"
      onClick={async () => {
        await adminPost('/api/admin/logout', csrfToken);
        window.location.replace('/admin/login');
      }}
    >
      Sign out
    </button>
  );
}
