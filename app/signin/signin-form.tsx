'use client';

import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { safeRedirectPath } from '@/lib/auth/safe-redirect';
import { useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Field, Input } from '@/components/ui';
import { messageForSigninResult, SIGNIN_ERRORS, SIGNIN_FORM_ERRORS } from '@/lib/console/messages';

export const API_KEY_PROVIDER = 'api-key';

/**
 * Signs in with next-auth and navigates to `redirectTo` (already sanitised by the server).
 * Returns an error message, or null on success. Shared with the demo-organization panel.
 */
export async function signInWithApiKey(apiKey: string): Promise<string | null> {
  try {
    const res = await signIn(API_KEY_PROVIDER, { apiKey, redirect: false });
    if (!res) return SIGNIN_FORM_ERRORS.no_answer;
    if (res.error) return messageForSigninResult(res.error);
    if (!res.ok) return SIGNIN_ERRORS.Default;
    return null;
  } catch {
    return SIGNIN_FORM_ERRORS.unreachable;
  }
}

export function SignInForm({ redirectTo, initialError }: { redirectTo: string; initialError?: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | undefined>(initialError);
  const inputRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const apiKey = String(new FormData(event.currentTarget).get('apiKey') ?? '').trim();
    if (!apiKey) {
      setError(SIGNIN_FORM_ERRORS.key_required);
      inputRef.current?.focus();
      return;
    }
    setPending(true);
    setError(undefined);
    const failure = await signInWithApiKey(apiKey);
    if (failure) {
      setError(failure);
      setPending(false);
      inputRef.current?.select();
      return;
    }
    // Checked again here: the one rule for post-sign-in targets, whatever handed this one over.
    router.replace(safeRedirectPath(redirectTo));
    router.refresh();
  }

  return (
    // method="post": a submit before hydration must never put the key into the URL.
    <form method="post" onSubmit={onSubmit} className="space-y-5" noValidate>
      {error ? (
        <Alert tone="error" title="Could not sign in">
          {error}
        </Alert>
      ) : null}
      <Field
        id="apiKey"
        label="API key"
        hint="Starts with gx_live_ or gx_test_. It is kept on the server and never shown again."
      >
        <Input
          ref={inputRef}
          name="apiKey"
          type="password"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          required
          maxLength={512}
          className="font-mono"
        />
      </Field>
      <Button type="submit" pending={pending} pendingLabel="signing in" className="w-full">
        Sign in
      </Button>
    </form>
  );
}
