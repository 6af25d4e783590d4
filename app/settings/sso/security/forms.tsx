'use client';

import { ConfirmActionForm } from '@/components/sso/confirm-action-form';
import { useActionState } from 'react';
import { Alert, CodeValue, Field, Input } from '@/components/ui';
import { SubmitButton } from '@/components/sso/submit-button';
import { initialFormState } from '@/lib/auth/form-state';
import { SECURITY_PATH } from '@/lib/console/settings/paths';
import { createBreakGlassCredential, deleteBreakGlassCredential, setEnforcement } from './actions';
import { initialCreateCredentialState, type EnforcementValues } from './state';

/** Switches enforcement to `next`; the answer (or why it was refused) is announced. Works without JavaScript. */
export function EnforcementForm({ next }: { next: 'on' | 'off' }) {
  const [state, action] = useActionState(setEnforcement, initialFormState<EnforcementValues>());
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="enforce" value={next} />
      <div aria-live="polite">
        {state.formError ? (
          <Alert tone="error" title="Enforcement was not changed">
            {state.formError}
          </Alert>
        ) : null}
        {state.ok && state.message ? <Alert tone="success">{state.message}</Alert> : null}
      </div>
      <SubmitButton variant={next === 'on' ? 'primary' : 'secondary'} pendingLabel="saving">
        {next === 'on' ? 'Require SSO' : 'Stop requiring SSO'}
      </SubmitButton>
    </form>
  );
}

/** Creates a credential; it is shown here once (with a copy button), then never again. Works without JavaScript. */
export function CreateBreakGlassForm() {
  const [state, action] = useActionState(createBreakGlassCredential, initialCreateCredentialState);
  const errors = state.status === 'error' ? state.fieldErrors : {};
  return (
    <div className="space-y-5">
      <div aria-live="polite">
        {state.status === 'created' ? (
          <Alert tone="warning" title={`Break-glass credential created: ${state.label}`}>
            <p>
              Copy it now and store it offline (a safe, a password vault): it is shown only once. Anyone holding it can
              sign in to this console as an owner for one hour, even when SSO is required.
            </p>
            <CodeValue value={state.credential} copyLabel="Copy credential" className="mt-3" id="created-break-glass" />
          </Alert>
        ) : null}
        {state.status === 'error' ? (
          <Alert tone="error" title="The credential was not created">
            {state.formError}
          </Alert>
        ) : null}
      </div>
      <form action={action} className="grid gap-4 sm:grid-cols-[1fr_auto] sm:items-end" noValidate>
        <Field
          id="break-glass-label"
          label="Name"
          hint="Who keeps it, or where it is stored (e.g. “Office safe, envelope 2”)."
          error={errors.label}
        >
          <Input
            name="label"
            maxLength={100}
            required
            defaultValue={state.status === 'error' ? state.values.label : ''}
          />
        </Field>
        <SubmitButton pendingLabel="creating">Create credential</SubmitButton>
      </form>
    </div>
  );
}

/** The confirmation step of "Delete" (a page state, so it works without JavaScript). */
export function DeleteBreakGlassForm({ id, label }: { id: string; label: string }) {
  return (
    <ConfirmActionForm action={deleteBreakGlassCredential} id={id} pendingLabel="deleting" cancelHref={SECURITY_PATH}>
      Delete “{label}”
    </ConfirmActionForm>
  );
}
