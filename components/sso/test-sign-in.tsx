'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { Alert, Button, Spinner } from '@/components/ui';
import { STAGE_LABELS, testResultSchema, type TestResult } from '@/lib/console/test-result-schema';
import { displayText } from '@/lib/console/display-text';
import { IdentityList } from './identity-list';
import { formatTime } from './format-time';

const responseSchema = z.object({ result: testResultSchema.nullable() });
const POLL_MS = 2000;
/** Stop polling a test nobody finished (the IdP tab was closed). */
const WAIT_MAX_MS = 10 * 60 * 1000;

async function fetchTestResult(): Promise<TestResult | null> {
  const res = await fetch('/api/sso/test-result', { cache: 'no-store', credentials: 'same-origin' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return responseSchema.parse(await res.json()).result;
}

/**
 * "Test sign-in" runs the real login in a new tab (a plain form post, so it also works without
 * JavaScript); this panel shows the outcome as soon as that tab finishes, by polling while a test
 * is pending and on window focus.
 */
export function TestSignIn({ initialResult }: { initialResult: TestResult | null }) {
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
      if (clickedAt && Date.now() - clickedAt < WAIT_MAX_MS && !(result && Date.parse(result.startedAt) >= clickedAt - 5000)) {
        return POLL_MS;
      }
      return false;
    },
  });
  const result = query.data;
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
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" variant="secondary">
            Test sign-in
          </Button>
          <span className="text-sm text-gray-600">Opens your identity provider in a new tab; your admin session is not affected.</span>
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

export function TestResultView({ result }: { result: Exclude<TestResult, { status: 'pending' }> }) {
  if (result.status === 'success') {
    return (
      <div className="space-y-3">
        <Alert tone="success" title="Test sign-in succeeded">
          Finished <time dateTime={result.finishedAt}>{formatTime(result.finishedAt)}</time>. Grantex resolved this identity:
        </Alert>
        <IdentityList identity={result.identity} />
      </div>
    );
  }
  return (
    <Alert tone="error" title={`Test sign-in failed: ${STAGE_LABELS[result.stage]}`}>
      <p className="break-words">{displayText(result.error.message, 500)}</p>
      <p className="mt-1 text-xs">
        {result.error.code ? <>Code: {displayText(result.error.code, 100)} · </> : null}
        {result.error.requestId ? <>Request ID: {displayText(result.error.requestId, 100)} · </> : null}
        <time dateTime={result.finishedAt}>{formatTime(result.finishedAt)}</time>
      </p>
    </Alert>
  );
}
