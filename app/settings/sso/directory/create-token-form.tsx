'use client';

import { useActionState } from 'react';
import { Alert, CodeValue, Field, Input } from '@/components/ui';
import { SubmitButton } from '@/components/sso/submit-button';
import { DIRECTORY_TEXT } from '@/lib/console/messages';
import { createScimToken } from './actions';
import { ALL_CONNECTIONS, initialCreateTokenState } from './state';

const SELECT_CLASSES =
  'block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500';

/** Creates a SCIM token; the token is shown here once (with a copy button), then never again. Works without JavaScript. */
export function CreateTokenForm({ connections }: { connections: ReadonlyArray<{ id: string; name: string }> }) {
  const [state, action] = useActionState(createScimToken, initialCreateTokenState);
  const errors = state.status === 'error' ? state.fieldErrors : {};
  const values = state.status === 'error' ? state.values : null;
  return (
    <div className="space-y-5">
      {state.status === 'created' ? (
        <Alert tone="warning" title={`SCIM token created: ${state.label}`}>
          <p>{DIRECTORY_TEXT.tokenCreatedWarning}</p>
          <CodeValue value={state.token} copyLabel="Copy SCIM token" className="mt-3" id="created-scim-token" />
          {state.scimBaseUrl ? (
            <>
              <p className="mt-3">SCIM base URL</p>
              <CodeValue value={state.scimBaseUrl} copyLabel="Copy SCIM base URL" className="mt-1" />
            </>
          ) : null}
        </Alert>
      ) : null}
      {state.status === 'error' ? (
        <Alert tone="error" title="The token was not created">
          {state.formError}
        </Alert>
      ) : null}
      <form action={action} className="grid gap-4 sm:grid-cols-[1fr_14rem_auto] sm:items-end" noValidate>
        <Field id="scim-token-label" label="Label" error={errors.label}>
          <Input
            name="label"
            maxLength={100}
            placeholder="e.g. Entra ID provisioning"
            defaultValue={values?.label ?? ''}
          />
        </Field>
        <Field id="scim-token-connection" label="Members sign in through" error={errors.connectionId}>
          <select name="connectionId" defaultValue={values?.connectionId ?? ALL_CONNECTIONS} className={SELECT_CLASSES}>
            <option value={ALL_CONNECTIONS}>Any connection of this organization</option>
            {connections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <SubmitButton pendingLabel="creating">Create SCIM token</SubmitButton>
      </form>
    </div>
  );
}
