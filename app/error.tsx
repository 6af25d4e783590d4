'use client';

import { useEffect } from 'react';
import { PlainProductMark, ShellFrame } from '@/components/app-shell/frame';
import { Button, buttonClasses } from '@/components/ui/button';

/**
 * Segment error boundary. Production hides server error messages behind `digest`; we show only
 * the digest (so a user can quote it) and never `error.message`, which might carry internals in dev.
 * Part of the root layout, so it is loaded on every route: it uses the client-code-free ShellFrame
 * and plain links (a full page load is also the sturdier recovery).
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error('[console] page error', error.digest ?? error.name);
  }, [error]);
  return (
    <ShellFrame mark={<PlainProductMark />} width="narrow">
      <div className="space-y-4 py-10 text-center">
        <h1 className="text-2xl font-semibold tracking-tight text-gray-900">Something went wrong</h1>
        <p className="text-sm text-gray-600">
          The page could not be shown. Try again; if it keeps happening, check the console server’s log.
        </p>
        {error.digest ? <p className="font-mono text-xs text-gray-500">Reference: {error.digest}</p> : null}
        <div className="flex flex-wrap justify-center gap-3">
          <Button onClick={reset}>Try again</Button>
          {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- no next/link in the root boundary (see above) */}
          <a href="/" className={buttonClasses('secondary', 'md')}>
            Back to the console
          </a>
        </div>
      </div>
    </ShellFrame>
  );
}
