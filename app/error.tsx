'use client';

import Link from 'next/link';
import { useEffect } from 'react';
import { AppShell } from '@/components/app-shell/app-shell';
import { Button, buttonClasses } from '@/components/ui/button';

/**
 * Segment error boundary. Production hides server error messages behind `digest`; we show only
 * the digest (so a user can quote it) and never `error.message`, which might carry internals in dev.
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error('[console] page error', error.digest ?? error.name);
  }, [error]);
  return (
    <AppShell width="narrow">
      <div className="space-y-4 py-10 text-center">
        <h1 className="text-2xl font-semibold tracking-tight text-gray-900">Something went wrong</h1>
        <p className="text-sm text-gray-600">
          The page could not be shown. Try again; if it keeps happening, check the console server’s log.
        </p>
        {error.digest ? <p className="font-mono text-xs text-gray-500">Reference: {error.digest}</p> : null}
        <div className="flex flex-wrap justify-center gap-3">
          <Button onClick={reset}>Try again</Button>
          <Link href="/" className={buttonClasses('secondary', 'md')}>
            Back to the console
          </Link>
        </div>
      </div>
    </AppShell>
  );
}
