'use client';

import { useActionState } from 'react';
import { Alert, Field, Input } from '@/components/ui';
import { SubmitButton } from '@/components/sso/submit-button';
import { LIMITS } from '@/lib/contract/limits';
import { redeemSetupLink } from '../actions';
import { initialRedeemState } from '../redeem-state';

/** Who is using the link; works without JavaScript (a plain POST, then a redirect). */
export function RedeemForm({ token }: { token: string }) {
  const [state, action] = useActionState(redeemSetupLink, initialRedeemState);
  return (
    <form action={action} className="space-y-5" noValidate>
      {state.formError ? (
        <Alert tone="error" title="Could not continue">
          {state.formError}
        </Alert>
      ) : null}
      <input type="hidden" name="token" value={token} />
      <Field id="setup-name" label="Your name" error={state.fieldErrors.name}>
        <Input name="name" autoComplete="name" required maxLength={LIMITS.nameMax} defaultValue={state.values.name} />
      </Field>
      <Field id="setup-email" label="Your work email" error={state.fieldErrors.email}>
        <Input
          name="email"
          type="email"
          autoComplete="email"
          required
          maxLength={LIMITS.emailMax}
          defaultValue={state.values.email}
        />
      </Field>
      <SubmitButton pendingLabel="continuing" className="w-full">
        Continue to SSO setup
      </SubmitButton>
    </form>
  );
}
