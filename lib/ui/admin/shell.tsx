import Link from 'next/link';
import { InboxBadge } from './inbox-badge';
import { LogoutButton } from './logout-button';

type Role = 'admin' | 'agent';

/**
 * Agents work the inbox and review, and read the model's card and audit and its candidates; the
 * overview is the admins' (as its API is), and so are changes of the model version.
 */
const NAV: readonly { href: string; label: string; id: 'inbox' | 'log' | 'queue' | 'overview' | 'model' | 'candidates'; roles: readonly Role[] }[] = [
  { href: '/admin/inbox', label: 'Inbox', id: 'inbox', roles: ['admin', 'agent'] },
  { href: '/admin', label: 'Log', id: 'log', roles: ['admin', 'agent'] },
  { href: '/admin/queue', label: 'Needs review', id: 'queue', roles: ['admin', 'agent'] },
  { href: '/admin/overview', label: 'Overview', id: 'overview', roles: ['admin'] },
  { href: '/admin/model', label: 'Model', id: 'model', roles: ['admin', 'agent'] },
  { href: '/admin/candidates', label: 'Candidates', id: 'candidates', roles: ['admin', 'agent'] },
];

export type AdminSection = (typeof NAV)[number]['id'];

export function AdminShell({
  session,
  current,
  children,
}: {
  session: { user: { email: string; role: Role }; csrfToken: string };
  current: AdminSection | null;
  children: React.ReactNode;
}) {
  const { email, role } = session.user;
  const { csrfToken } = session;
  return (
    <div className="min-h-full">
      <header className="border-b border-slate-200 bg-white">
        {/* On a phone the links take a row of their own under the name and "Sign out", wrapping rather than scrolling so every page stays in sight. */}
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <span className="font-semibold whitespace-nowrap text-brand-900">glassdesk admin</span>
          <nav aria-label="Admin" className="relative order-last -mx-1 flex w-full flex-wrap gap-1 px-1 text-sm md:order-none md:w-auto md:flex-nowrap">
            {NAV.filter((item) => item.roles.includes(role)).map((item) => (
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
