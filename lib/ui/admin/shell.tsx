import Link from 'next/link';
import { LogoutButton } from './logout-button';

const NAV = [
  { href: '/admin', label: 'Log', id: 'log' },
  { href: '/admin/queue', label: 'Needs review', id: 'queue' },
  { href: '/admin/overview', label: 'Overview', id: 'overview' },
] as const;

export function AdminShell({ email, csrfToken, current, children }: { email: string; csrfToken: string; current: (typeof NAV)[number]['id'] | null; children: React.ReactNode }) {
  return (
    <div className="min-h-full">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-3">
          <span className="font-semibold text-brand-900">glassdesk admin</span>
          <nav aria-label="Admin" className="flex gap-1 text-sm">
            {NAV.map((item) => (
              <Link
                key={item.id}
                href={item.href}
                aria-current={current === item.id ? 'page' : undefined}
                className={`rounded-md px-3 py-1 ${current === item.id ? 'bg-brand-50 font-medium text-brand-900' : 'text-slate-700 hover:bg-slate-100'}`}
              >
                {item.label}
              </Link>
            ))}
          </nav>
          <span className="ml-auto text-sm text-slate-600" data-testid="admin-user">{email}</span>
          <LogoutButton csrfToken={csrfToken} />
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  );
}
