'use client';

import './globals.css';

/** Replaces the root layout when it fails, so it renders its own html/body and imports nothing that could fail again. */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <main id="main" className="mx-auto max-w-md space-y-4 px-4 py-16 text-center">
          <h1 className="text-2xl font-semibold tracking-tight text-gray-900">The console could not load</h1>
          <p className="text-sm text-gray-600">Try again in a moment. If it keeps happening, check the server log.</p>
          {error.digest ? <p className="font-mono text-xs text-gray-500">Reference: {error.digest}</p> : null}
          <div className="flex justify-center gap-3">
            <button
              type="button"
              onClick={reset}
              className="h-10 rounded-md bg-indigo-600 px-4 text-sm font-medium text-white hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
            >
              Try again
            </button>
            {/* A plain anchor: a full reload is what recovers from a broken root layout. */}
            {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
            <a
              href="/"
              className="inline-flex h-10 items-center rounded-md border border-gray-300 bg-white px-4 text-sm font-medium text-gray-900"
            >
              Home
            </a>
          </div>
        </main>
      </body>
    </html>
  );
}
