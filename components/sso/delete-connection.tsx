'use client';

import { useActionState, useState } from 'react';
import { Alert, Button } from '@/components/ui';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { initialFormState, type FormState } from '@/lib/auth/form-state';
import { CONNECTION_ID_FIELD } from '@/lib/validations/connection-fields';

type State = FormState<{ connectionId: string }>;
export type DeleteConnectionAction = (prev: State, formData: FormData) => Promise<State>;

const FORM_ID = 'delete-sso-connection';

/**
 * "Delete connection" behind a dialog that states the consequence before anything happens; for the default
 * connection it also says that `?org=` sign-in links stop working (`defaultWarning`).
 */
export function DeleteConnection({
  action,
  orgLabel,
  connection,
  defaultWarning,
}: {
  action: DeleteConnectionAction;
  orgLabel: string;
  connection: { id: string; name: string };
  /** Set for the default connection only. */
  defaultWarning?: string;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState());
  const [open, setOpen] = useState(false);

  return (
    <div className="space-y-3">
      <form id={FORM_ID} action={formAction}>
        <input type="hidden" name={CONNECTION_ID_FIELD} value={connection.id} />
      </form>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        trigger={<Button variant="danger">Delete connection</Button>}
        title={`Delete the connection “${connection.name}”?`}
        description={[
          `Members of ${orgLabel} will no longer be able to sign in with SSO through “${connection.name}”.`,
          defaultWarning,
          'This cannot be undone.',
        ]
          .filter(Boolean)
          .join(' ')}
        confirmLabel="Delete"
        cancelLabel="Cancel"
        tone="danger"
        pending={pending}
        pendingLabel="deleting"
        confirmProps={{ type: 'submit', form: FORM_ID }}
      >
        {!state.ok && state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
      </ConfirmDialog>
      {!open && !state.ok && state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
    </div>
  );
}
