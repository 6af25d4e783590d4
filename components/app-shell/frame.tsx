import type { ReactNode } from 'react';
import { cn } from '@/components/ui/cn';

/**
 * The console frame without any client code (no next/link, no Sign out button): header, a
 * centred main column with id="main" (the root layout's skip link), footer. AppShell builds on
 * it; the root error and not-found pages use it directly, because whatever they import is loaded
 * on every route (they are part of the root layout).
 */
export const productMarkClassName = 'flex items-center gap-2 text-sm font-semibold text-gray-900';

export function ProductMarkContent() {
  return (
    <>
      <span
        aria-hidden="true"
        className="flex size-7 items-center justify-center rounded-md bg-indigo-600 text-xs font-bold text-white"
      >
        G
      </span>
      <span>
        Grantex <span className="font-normal text-gray-600">SSO Console</span>
      </span>
    </>
  );
}

/** The product mark as a plain link home (a full page load, which is also what recovers from an error). */
export function PlainProductMark() {
  return (
    // eslint-disable-next-line @next/next/no-html-link-for-pages -- deliberately no next/link here (see above)
    <a href="/" className={productMarkClassName}>
      <ProductMarkContent />
    </a>
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

export function HeaderBar({ mark, end }: { mark: ReactNode; end?: ReactNode }) {
  return (
    <header className="border-b border-gray-200 bg-white">
      <div className="mx-auto flex min-h-14 max-w-5xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-2 sm:px-6">
        {mark}
        {end}
      </div>
    </header>
  );
}

export function ShellFrame({
  mark,
  headerEnd,
  children,
  width = 'default',
}: {
  /** The product mark, linking home. */
  mark: ReactNode;
  /** Right side of the header (e.g. the organization and Sign out). */
  headerEnd?: ReactNode;
  children: ReactNode;
  width?: 'default' | 'narrow';
}) {
  return (
    <div className="flex min-h-dvh flex-col">
      <HeaderBar mark={mark} end={headerEnd} />
      <main
        id="main"
        tabIndex={-1}
        className={cn(
          'mx-auto w-full flex-1 px-4 py-10 focus:outline-none sm:px-6',
          width === 'narrow' ? 'max-w-md' : 'max-w-5xl',
        )}
      >
        {children}
      </main>
      <SiteFooter />
    </div>
  );
}
