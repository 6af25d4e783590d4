'use client';

import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Spinner } from '@/components/ui';
import type { TestResult } from '@/lib/console/member-login/test-result-schema';
import { TestResultView } from './test-result-view';

const POLL_MS = 2000;
/** Stop polling a test nobody finished (the IdP tab was closed). */
const WAIT_MAX_MS = 10 * 60 * 1000;

async function fetchTestResult(): Promise<TestResult | null> {
  const res = await fetch('/api/sso/test-result', { cache: 'no-store', credentials: 'same-origin' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  // The response is checked with the same zod/mini schema the server uses; it (and zod) is
  // fetched with the first poll rather than with the page (the page starts from initialResult).
  const { testResultResponseSchema } = await import('@/lib/console/member-login/test-result-schema');
  return testResultResponseSchema.parse(await res.json()).result;
}

/**
 * "Test sign-in" runs the real login in a new tab (a plain form post, so it also works without
 * JavaScript); this panel shows the outcome as soon as that tab finishes, by polling while a test
 * is pending and on window focus.
 *
 * It brings its own React Query client: this is the console's only client-side query, so the
 * provider (and react-query itself) is loaded on this page only, not from the root layout.
 */
export function TestSignIn({
  initialResult,
  connectionId,
}: {
  initialResult: TestResult | null;
  connectionId: string;
}) {
  // Created in state so a re-render does not drop the cache.
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { staleTime: 30_000, retry: 1, refetchOnWindowFocus: false },
          mutations: { retry: 0 },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <TestSignInPanel initialResult={initialResult} connectionId={connectionId} />
    </QueryClientProvider>
  );
}

function TestSignInPanel({ initialResult, connectionId }: { initialResult: TestResult | null; connectionId: string }) {
  const [clickedAt, setClickedAt] = useState<number | null>(null);
  const query = useQuery({
    queryKey: ['sso-test-result'],
    queryFn: fetchTestResult,
    initialData: initialResult,
    staleTime: 0,
    refetchOnWindowFocus: true,
    refetchInterval: (q) => {
      const result = q.state.data;
      if (result?.status === 'pending') return POLL_MS;
      // Until the new tab has reached /sso/start, the stored result is still the previous one.
      if (
        clickedAt &&
        Date.now() - clickedAt < WAIT_MAX_MS &&
        !(result && Date.parse(result.startedAt) >= clickedAt - 5000)
      ) {
        return POLL_MS;
      }
      return false;
    },
  });
  // The browser keeps one test result: a test of another connection belongs on that connection's page.
  const result = query.data && (query.data.connectionId ?? connectionId) === connectionId ? query.data : null;
  const waiting = result?.status === 'pending';

  return (
    <div className="space-y-4">
      <form
        method="post"
        action="/sso/start"
        target="_blank"
        onSubmit={() => {
          setClickedAt(Date.now());
          // The new tab needs a moment to reach /sso/start; start polling right away anyway.
          setTimeout(() => void query.refetch(), 800);
        }}
      >
        <input type="hidden" name="mode" value="test" />
        {/* Which connection to test: /sso/start asks Grantex's test sign-in for it (whatever its status). */}
        <input type="hidden" name="connectionId" value={connectionId} />
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" variant="secondary">
            Test sign-in
          </Button>
          <span className="text-sm text-gray-600">
            Opens your identity provider in a new tab; your admin session is not affected.
          </span>
        </div>
      </form>
      <div aria-live="polite">
        {waiting ? (
          <p role="status" className="flex items-center gap-2 text-sm text-gray-700">
            <Spinner /> Waiting for the test sign-in in the other tab to finish…
          </p>
        ) : null}
        {result && result.status !== 'pending' ? <TestResultView result={result} /> : null}
      </div>
    </div>
  );
}
