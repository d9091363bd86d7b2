import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'glassdesk', template: '%s · glassdesk' },
  description: 'Customer-service chat whose every answer can be explained.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: '#1f5fbf',
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Reading the request makes every page render per request, so Next can put this
  // request's CSP nonce on its scripts (see proxy.ts).
  await headers();
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
