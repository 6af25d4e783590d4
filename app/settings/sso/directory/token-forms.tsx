'use client';

import { ConfirmActionForm } from '@/components/sso/confirm-action-form';
import { useActionState } from 'react';
import { Alert } from '@/components/ui';
import { SubmitButton } from '@/components/sso/submit-button';
import { initialFormState } from '@/lib/auth/form-state';
import { DIRECTORY_PATH } from '@/lib/console/settings/paths';
import { revokeScimToken, setDirectoryUsersOnly } from './actions';

/** The confirmation step of "Revoke" (a page state, so it works without JavaScript). */
export function RevokeTokenForm({ id }: { id: string }) {
  return (
    <ConfirmActionForm action={revokeScimToken} id={id} pendingLabel="revoking" cancelHref={DIRECTORY_PATH}>
      Revoke token
    </ConfirmActionForm>
  );
}

/** One connection's "directory users only" switch. */
export function DirectoryOnlyForm({ connectionId, name, on }: { connectionId: string; name: string; on: boolean }) {
  const [state, action] = useActionState(
    setDirectoryUsersOnly,
    initialFormState<{ connectionId: string; directoryUsersOnly?: 'on' }>(),
  );
  const id = `directory-only-${connectionId}`;
  return (
    <form action={action} className="flex flex-wrap items-center gap-3 py-2">
      <input type="hidden" name="connectionId" value={connectionId} />
      <input id={id} type="checkbox" name="directoryUsersOnly" defaultChecked={on} className="h-4 w-4" />
      <label htmlFor={id} className="text-sm text-gray-900">
        {name}: directory users only
      </label>
      <SubmitButton variant="secondary" size="sm" pendingLabel="saving">
        Save<span className="sr-only"> {name}</span>
      </SubmitButton>
      {state.ok && state.message ? (
        <span role="status" className="text-sm text-green-800">
          {state.message}
        </span>
      ) : null}
      {state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
    </form>
  );
}
