'use client';

import { useActionState } from 'react';
import { Alert, Button } from '@/components/ui';
import { initialFormState, type FormState } from '@/lib/auth/form-state';
import { CONNECTION_ID_FIELD, type ConnectionStatusValue } from '@/lib/validations/connection-fields';
import { StatusChoice } from './status-choice';

type State = FormState<{ connectionId: string; status: string }>;
export type SetConnectionStatusAction = (prev: State, formData: FormData) => Promise<State>;

/** The connection's status on its own (no issuer check, no secret): a radio group and "Update status". */
export function ConnectionStatusForm({
  action,
  connectionId,
  status,
}: {
  action: SetConnectionStatusAction;
  connectionId: string;
  status: ConnectionStatusValue;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState({ status }));
  const current = (state.values.status as ConnectionStatusValue | undefined) ?? status;
  return (
    <form action={formAction} className="space-y-4">
      <input type="hidden" name={CONNECTION_ID_FIELD} value={connectionId} />
      {state.ok && state.message ? <Alert tone="success">{state.message}</Alert> : null}
      {!state.ok && state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
      <StatusChoice
        key={current}
        name="status"
        idPrefix="connection-status"
        value={current}
        error={state.fieldErrors.status}
      />
      <Button type="submit" variant="secondary" pending={pending} pendingLabel="updating">
        Update status
      </Button>
    </form>
  );
}
