import Link from 'next/link';
import type { ReactNode } from 'react';
import { cn } from '@/components/ui/cn';
import { SignOutButton } from './sign-out-button';

export interface ShellOrg {
  name: string;
  developerId: string;
}

function ProductMark() {
  return (
    <Link href="/" className="flex items-center gap-2 text-sm font-semibold text-gray-900">
      <span aria-hidden="true" className="flex size-7 items-center justify-center rounded-md bg-indigo-600 text-xs font-bold text-white">
        G
      </span>
      <span>
        Grantex <span className="font-normal text-gray-600">SSO Console</span>
      </span>
    </Link>
  );
}

export function SiteHeader({ org }: { org?: ShellOrg | null }) {
  return (
    <header className="border-b border-gray-200 bg-white">
      <div className="mx-auto flex min-h-14 max-w-5xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-2 sm:px-6">
        <ProductMark />
        {org ? (
          <div className="flex min-w-0 items-center gap-3">
            <p className="min-w-0 truncate text-sm text-gray-700" title={org.developerId}>
              <span className="sr-only">Signed in as organization </span>
              <span className="font-medium text-gray-900">{org.name}</span>
            </p>
            <SignOutButton />
          </div>
        ) : null}
      </div>
    </header>
  );
}

export function SiteFooter() {
  return (
    <footer className="border-t border-gray-200">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-2 px-4 py-6 text-xs text-gray-500 sm:px-6">
        <p>Grantex SSO Console</p>
        <p>API keys stay on the server; they are never sent to your browser after sign-in.</p>
      </div>
    </footer>
  );
}

/**
 * The admin frame: header (product, org, Sign out), a centred main column, footer.
 * `main` carries id="main" for the root layout's skip link.
 */
export function AppShell({ org, children, width = 'default' }: { org?: ShellOrg | null; children: ReactNode; width?: 'default' | 'narrow' }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <SiteHeader org={org} />
      <main
        id="main"
        tabIndex={-1}
        className={cn('mx-auto w-full flex-1 px-4 py-10 focus:outline-none sm:px-6', width === 'narrow' ? 'max-w-md' : 'max-w-5xl')}
      >
        {children}
      </main>
      <SiteFooter />
    </div>
  );
}
