import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentSession } from '@/lib/auth/session';
import { LoginForm } from '@/lib/ui/admin/login-form';

export const metadata: Metadata = { title: 'Admin sign-in' };

export default async function AdminLoginPage() {
  if (await currentSession()) redirect('/admin');
  return (
    <main className="mx-auto mt-16 max-w-sm rounded-2xl bg-white p-6 shadow-sm" data-testid="admin-login">
      <h1 className="text-lg font-semibold text-brand-900">glassdesk admin</h1>
      <p className="mt-1 text-sm text-slate-600">Sign in to review conversations and explanations.</p>
      <LoginForm />
    </main>
  );
}
