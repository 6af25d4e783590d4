import type { ReactNode } from 'react';

/** The frame of the pages members see (hosted login, result and error pages): no admin chrome. */
export function PublicFrame({ title, children }: { title: ReactNode; children: ReactNode }) {
  return (
    <main id="main" className="flex min-h-screen items-start justify-center bg-gray-50 px-4 py-12 sm:py-20">
      <div className="w-full max-w-md space-y-6">
        {/* The same product mark as the admin header (components/app-shell), without "Console": members never see one. */}
        <p className="flex items-center justify-center gap-2 text-sm font-semibold text-gray-900">
          <span
            aria-hidden="true"
            className="flex size-7 items-center justify-center rounded-md bg-indigo-600 text-xs font-bold text-white"
          >
            G
          </span>
          <span>
            Grantex <span className="font-normal text-gray-600">SSO</span>
          </span>
        </p>
        <div className="rounded-lg border border-gray-200 bg-white p-6 shadow-sm sm:p-8">
          <h1 className="mb-4 text-xl font-semibold text-gray-900">{title}</h1>
          <div className="space-y-4 text-sm text-gray-700">{children}</div>
        </div>
      </div>
    </main>
  );
}
