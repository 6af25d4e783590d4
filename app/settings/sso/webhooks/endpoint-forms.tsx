'use client';

import { ConfirmActionForm } from '@/components/sso/confirm-action-form';
import { useActionState } from 'react';
import { Alert } from '@/components/ui';
import { SubmitButton } from '@/components/sso/submit-button';
import { initialFormState } from '@/lib/auth/form-state';
import { WEBHOOKS_PATH } from '@/lib/console/settings/paths';
import { deleteWebhook, redeliverWebhook, setWebhookEnabled } from './actions';

/** Enable or disable one endpoint. */
export function EnableForm({ id, url, enabled }: { id: string; url: string; enabled: boolean }) {
  const [state, action] = useActionState(setWebhookEnabled, initialFormState<{ id: string; enabled: string }>());
  return (
    <form action={action} className="flex flex-wrap items-center gap-3">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="enabled" value={enabled ? 'false' : 'true'} />
      <SubmitButton variant="secondary" size="sm" pendingLabel="saving">
        {enabled ? 'Disable' : 'Enable'}
        <span className="sr-only"> {url}</span>
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

/** The confirmation step of "Delete" (a page state, so it works without JavaScript). */
export function DeleteForm({ id }: { id: string }) {
  return (
    <ConfirmActionForm action={deleteWebhook} id={id} pendingLabel="deleting" cancelHref={WEBHOOKS_PATH}>
      Delete endpoint
    </ConfirmActionForm>
  );
}

/** Send one delivery's event again (same event id, fresh retry schedule). */
export function RedeliverForm({ id, deliveryId, label }: { id: string; deliveryId: string; label: string }) {
  const [state, action] = useActionState(redeliverWebhook, initialFormState<{ id: string; deliveryId: string }>());
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="deliveryId" value={deliveryId} />
      <SubmitButton variant="secondary" size="sm" pendingLabel="queuing">
        Redeliver<span className="sr-only"> {label}</span>
      </SubmitButton>
      {state.ok && state.message ? (
        <span role="status" className="text-xs text-green-800">
          {state.message}
        </span>
      ) : null}
      {state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
    </form>
  );
}
