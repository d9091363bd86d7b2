import Link from 'next/link';
import { InboxBadge } from './inbox-badge';
import { LogoutButton } from './logout-button';

const NAV = [
  { href: '/admin/inbox', label: 'Inbox', id: 'inbox' },
  { href: '/admin', label: 'Log', id: 'log' },
  { href: '/admin/queue', label: 'Needs review', id: 'queue' },
  { href: '/admin/overview', label: 'Overview', id: 'overview' },
] as const;

export type AdminSection = (typeof NAV)[number]['id'];

export function AdminShell({ email, csrfToken, current, children }: { email: string; csrfToken: string; current: (typeof NAV)[number]['id'] | null; children: React.ReactNode }) {
  return (
    <div className="min-h-full">
      <header className="border-b border-slate-200 bg-white">
        {/* On a phone the links take a row of their own under the name and "Sign out". */}
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <span className="font-semibold whitespace-nowrap text-brand-900">glassdesk admin</span>
          <nav aria-label="Admin" className="relative order-last -mx-1 flex w-full gap-1 overflow-x-auto px-1 text-sm md:order-none md:w-auto">
            {NAV.map((item) => (
              <Link
                key={item.id}
                href={item.href}
                aria-current={current === item.id ? 'page' : undefined}
                className={`rounded-md px-3 py-1 whitespace-nowrap ${current === item.id ? 'bg-brand-50 font-medium text-brand-900' : 'text-slate-700 hover:bg-slate-100'}`}
              >
                {item.label}
                {item.id === 'inbox' ? <InboxBadge /> : null}
              </Link>
            ))}
          </nav>
          <div className="ml-auto flex min-w-0 items-center gap-3">
            <span className="min-w-0 truncate text-sm text-slate-600" data-testid="admin-user" title={email}>
              {email}
            </span>
            <LogoutButton csrfToken={csrfToken} />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl min-w-0 px-4 py-6">{children}</main>
    </div>
  );
}
