'use client';
/**
 * On the page of a connection still registered at the shared `/sso/callback`: why it should move, the address
 * to add at the IdP first, and the one-step move (a plain form with a server action: it works without
 * JavaScript). After the move the page shows the connection's own address and this notice is gone.
 */
import { useActionState } from 'react';
import { Alert, Button, CodeValue } from '@/components/ui';
import { initialFormState, type FormState } from '@/lib/auth/form-state';
import { CONNECTION_ID_FIELD } from '@/lib/validations/connection-fields';
import { CONNECTION_TEXT } from '@/lib/console/messages';

type State = FormState<Record<string, string>>;
export type MoveRedirectUriAction = (prev: State, formData: FormData) => Promise<State>;

export function SharedRedirectUriNotice({
  action,
  connectionId,
  shared,
  own,
}: {
  action: MoveRedirectUriAction;
  connectionId: string;
  shared: string;
  own: string;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState());
  return (
    <section aria-labelledby="shared-redirect-title">
      <Alert tone="warning">
        <h2 id="shared-redirect-title" className="font-semibold">
          {CONNECTION_TEXT.sharedRedirectTitle}
        </h2>
        <p className="mt-1 break-words">{CONNECTION_TEXT.sharedRedirectBody(shared, own)}</p>
        <CodeValue className="mt-3" value={own} copyLabel={CONNECTION_TEXT.copyOwnRedirectUri} />
        <form action={formAction} className="mt-3 space-y-2">
          <input type="hidden" name={CONNECTION_ID_FIELD} value={connectionId} />
          {!state.ok && state.formError ? (
            <p role="alert" className="text-sm font-medium text-red-700">
              {state.formError}
            </p>
          ) : null}
          <Button type="submit" pending={pending} pendingLabel="moving">
            {CONNECTION_TEXT.moveButton}
          </Button>
        </form>
      </Alert>
    </section>
  );
}
