import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import './globals.css';

const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#4f46e5"/><text x="16" y="22" font-family="system-ui,sans-serif" font-size="17" font-weight="700" text-anchor="middle" fill="#fff">G</text></svg>';

export const metadata: Metadata = {
  title: { default: 'Grantex SSO Console', template: '%s · Grantex SSO Console' },
  description: 'Configure single sign-on for your Grantex organization.',
  robots: { index: false, follow: false },
  // Inline icon: no /favicon.ico round trip (and 404) on every first visit.
  icons: { icon: `data:image/svg+xml,${encodeURIComponent(ICON_SVG)}` },
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
