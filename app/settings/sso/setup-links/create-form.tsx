'use client';

import { useActionState } from 'react';
import { Alert, CodeValue, Field, Input } from '@/components/ui';
import { SubmitButton } from '@/components/sso/submit-button';
import { SETUP_LINK_TEXT } from '@/lib/console/messages';
import { createSetupLink } from './actions';
import { DEFAULT_EXPIRY_HOURS, EXPIRY_CHOICES, initialCreateLinkState } from './state';

const SELECT_CLASSES =
  'block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500';

/** Creates a link; its URL is shown here once (with a copy button), then never again. Works without JavaScript. */
export function CreateSetupLinkForm() {
  const [state, action] = useActionState(createSetupLink, initialCreateLinkState);
  const errors = state.status === 'error' ? state.fieldErrors : {};
  const values = state.status === 'error' ? state.values : null;
  return (
    <div className="space-y-5">
      {state.status === 'created' ? (
        <Alert tone="warning" title={`Setup link created${state.label ? `: ${state.label}` : ''}`}>
          <p>{SETUP_LINK_TEXT.createdWarning}</p>
          <CodeValue value={state.url} copyLabel="Copy setup link" className="mt-3" id="created-setup-link" />
        </Alert>
      ) : null}
      {state.status === 'error' ? (
        <Alert tone="error" title="The link was not created">
          {state.formError}
        </Alert>
      ) : null}
      <form action={action} className="grid gap-4 sm:grid-cols-[12rem_1fr_auto] sm:items-end" noValidate>
        <Field id="setup-link-expiry" label="Expires after" error={errors.expiresInHours}>
          <select
            name="expiresInHours"
            defaultValue={values?.expiresInHours ?? String(DEFAULT_EXPIRY_HOURS)}
            className={SELECT_CLASSES}
          >
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.hours} value={c.hours}>
                {c.label}
              </option>
            ))}
          </select>
        </Field>
        <Field id="setup-link-label" label="Label" labelSuffix="(optional)" error={errors.label}>
          <Input
            name="label"
            maxLength={100}
            placeholder="e.g. Okta setup by Acme IT"
            defaultValue={values?.label ?? ''}
          />
        </Field>
        <SubmitButton pendingLabel="creating">Create setup link</SubmitButton>
      </form>
    </div>
  );
}
