import type { ReactNode } from 'react';

/** The frame of the pages members see (hosted login, result and error pages): no admin chrome. */
export function PublicFrame({ title, children }: { title: ReactNode; children: ReactNode }) {
  return (
    <main id="main" className="flex min-h-screen items-start justify-center bg-gray-50 px-4 py-12 sm:py-20">
      <div className="w-full max-w-md space-y-6">
        <p className="text-center text-sm font-semibold tracking-wide text-indigo-700">Grantex</p>
        <div className="rounded-lg border border-gray-200 bg-white p-6 shadow-sm sm:p-8">
          <h1 className="mb-4 text-xl font-semibold text-gray-900">{title}</h1>
          <div className="space-y-4 text-sm text-gray-700">{children}</div>
        </div>
      </div>
    </main>
  );
}
