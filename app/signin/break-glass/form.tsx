'use client';

import { useActionState } from 'react';
import { Alert, Field, Input } from '@/components/ui';
import { SubmitButton } from '@/components/sso/submit-button';
import { initialFormState } from '@/lib/auth/form-state';
import { breakGlassSignIn } from './actions';
import type { BreakGlassValues } from './state';

/** The credential field (write-only: never refilled after an error). Works without JavaScript. */
export function BreakGlassForm() {
  const [state, action] = useActionState(breakGlassSignIn, initialFormState<BreakGlassValues>());
  return (
    <form action={action} className="space-y-5" noValidate>
      <div aria-live="assertive">
        {state.formError ? (
          <Alert tone="error" title="Could not sign in">
            {state.formError}
          </Alert>
        ) : null}
      </div>
      <Field
        id="break-glass-credential"
        label="Break-glass credential"
        hint="It starts with gxbg_. It signs you in as an owner for one hour; the use is recorded and shown to every admin."
        error={state.fieldErrors.credential}
      >
        <Input name="credential" type="password" autoComplete="off" spellCheck={false} required />
      </Field>
      <SubmitButton className="w-full" pendingLabel="signing in">
        Sign in with break-glass credential
      </SubmitButton>
    </form>
  );
}
