'use client';

import { useRouter } from 'next/navigation';
import { safeRedirectPath } from '@/lib/auth/safe-redirect';
import { useActionState, useEffect, useRef, useState } from 'react';
import { Alert, Button, CodeValue } from '@/components/ui';
import { createDemoOrganization, type DemoOrgState } from './actions';
import { signInWithApiKey } from './signin-form';

const initial: DemoOrgState = { status: 'idle' };

/**
 * Development helper: creates an organization through the public signup endpoint and shows its
 * key once. The key lives only in this component's state until the page is left.
 */
export function DemoOrg({ redirectTo }: { redirectTo: string }) {
  const router = useRouter();
  const [state, formAction, creating] = useActionState(createDemoOrganization, initial);
  const [continuing, setContinuing] = useState(false);
  const [continueError, setContinueError] = useState<string>();
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    // Move focus to the one-time key so keyboard and screen-reader users notice it appeared.
    if (state.status === 'created') headingRef.current?.focus();
  }, [state.status]);

  if (state.status === 'created') {
    const apiKey = state.apiKey;
    async function onContinue() {
      setContinuing(true);
      setContinueError(undefined);
      const failure = await signInWithApiKey(apiKey);
      if (failure) {
        setContinueError(failure);
        setContinuing(false);
        return;
      }
      // Checked again here: the one rule for post-sign-in targets, whatever handed this one over.
      router.replace(safeRedirectPath(redirectTo));
      router.refresh();
    }
    return (
      <div className="space-y-4">
        <h3 ref={headingRef} tabIndex={-1} className="text-base font-semibold text-gray-900 focus:outline-none">
          Demo organization created
        </h3>
        <p className="text-sm text-gray-700">
          <span className="font-medium">{state.name}</span> <span className="text-gray-500">({state.developerId})</span>
        </p>
        <div className="space-y-1.5">
          <p id="demo-key-label" className="text-sm font-medium text-gray-900">
            Your API key
          </p>
          <CodeValue value={apiKey} id="demo-key" copyLabel="Copy" />
        </div>
        <Alert tone="warning" title="Save this key now">
          It will not be shown again. You need it to sign in to this organization later.
        </Alert>
        {continueError ? (
          <Alert tone="error" title="Could not sign in">
            {continueError}
          </Alert>
        ) : null}
        <Button onClick={onContinue} pending={continuing} pendingLabel="signing in" className="w-full">
          Continue
        </Button>
      </div>
    );
  }

  return (
    <form action={formAction} className="space-y-4">
      <p className="text-sm text-gray-600">
        Trying the console locally? Create a throwaway organization on the configured Grantex service and sign in with
        its new key.
      </p>
      {state.status === 'error' ? (
        <Alert tone="error" title="Could not create a demo organization">
          {state.message}
        </Alert>
      ) : null}
      <Button type="submit" variant="secondary" pending={creating} pendingLabel="creating" className="w-full">
        Create a demo organization
      </Button>
    </form>
  );
}
