'use client';

import { useActionState, useState } from 'react';
import { Alert, Button } from '@/components/ui';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { initialFormState, type FormState } from '@/lib/auth/form-state';

type State = FormState<Record<string, never>>;
export type DeleteSsoConfigAction = (prev: State, formData: FormData) => Promise<State>;

const FORM_ID = 'delete-sso-config';

/** "Delete configuration" behind a dialog that states the consequence before anything happens. */
export function DeleteConfig({ action, orgLabel }: { action: DeleteSsoConfigAction; orgLabel: string }) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState());
  const [open, setOpen] = useState(false);


  return (
    <div className="space-y-3">
      <form id={FORM_ID} action={formAction} />
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        trigger={<Button variant="danger">Delete configuration</Button>}
        title="Delete the SSO configuration?"
        description={`Members of ${orgLabel} will no longer be able to sign in with SSO. This cannot be undone.`}
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
