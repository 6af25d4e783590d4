import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Grantex SSO Console', template: '%s · Grantex SSO Console' },
  description: 'Configure single sign-on for your Grantex organization.',
  robots: { index: false, follow: false },
  // Named explicitly, so browsers ask for it instead of a /favicon.ico that does not exist.
  icons: { icon: { url: '/icon.svg', type: 'image/svg+xml' } },
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#4f46e5' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request, which the nonce-based CSP needs: Next.js stamps the nonce
  // from the proxy's request header on its own scripts, and a prerendered page would have none.
  await connection();
  return (
    <html lang="en">
      <body>
        <a
          href="#main"
          className="sr-only z-50 rounded-md bg-white px-4 py-2 text-sm font-medium text-indigo-700 shadow focus:not-sr-only focus:fixed focus:top-3 focus:left-3"
        >
          Skip to main content
        </a>
        {children}
      </body>
    </html>
  );
}
