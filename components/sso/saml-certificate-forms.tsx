'use client';
/**
 * Certificate rotation on a SAML connection's page: "Add certificate" (a second one; both verify until the old
 * one is removed) and one "Remove" per certificate (only while there are two: the last one cannot be removed).
 * Plain forms with server actions, so they work without JavaScript; the PEM is never echoed back.
 */
import { useActionState } from 'react';
import { Alert, Button, Field, Textarea } from '@/components/ui';
import { initialFormState, type FormState } from '@/lib/auth/form-state';
import { CONNECTION_ID_FIELD } from '@/lib/validations/connection-fields';

type State = FormState<Record<string, string>>;
export type SamlCertificateAction = (prev: State, formData: FormData) => Promise<State>;

function Outcome({ state }: { state: State }) {
  if (state.ok && state.message) return <Alert tone="success">{state.message}</Alert>;
  if (!state.ok && state.formError) return <Alert tone="error">{state.formError}</Alert>;
  return null;
}

export function AddSamlCertificateForm({
  action,
  connectionId,
}: {
  action: SamlCertificateAction;
  connectionId: string;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState());
  return (
    <form action={formAction} noValidate className="space-y-3">
      <input type="hidden" name={CONNECTION_ID_FIELD} value={connectionId} />
      <Outcome state={state} />
      <Field
        id="saml-add-certificate"
        label="New IdP certificate"
        error={state.fieldErrors.certificate}
        hint="Paste the identity provider’s next signing certificate (PEM) before it switches to it; both verify sign-ins until you remove the old one."
      >
        <Textarea
          name="certificate"
          rows={4}
          defaultValue=""
          placeholder="-----BEGIN CERTIFICATE-----"
          spellCheck={false}
          className="font-mono"
        />
      </Field>
      <Button type="submit" variant="secondary" pending={pending} pendingLabel="adding">
        Add certificate
      </Button>
    </form>
  );
}

export function RemoveSamlCertificateForm({
  action,
  connectionId,
  fingerprint,
  label,
}: {
  action: SamlCertificateAction;
  connectionId: string;
  fingerprint: string;
  /** Names the certificate for screen readers, e.g. its fingerprint's start. */
  label: string;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState());
  return (
    <form action={formAction} className="space-y-2">
      <input type="hidden" name={CONNECTION_ID_FIELD} value={connectionId} />
      <input type="hidden" name="fingerprint" value={fingerprint} />
      <Outcome state={state} />
      <Button
        type="submit"
        variant="danger"
        size="sm"
        pending={pending}
        pendingLabel="removing"
        aria-label={`Remove certificate ${label}`}
      >
        Remove
      </Button>
    </form>
  );
}

/** "Refresh now": the IdP metadata fetched again from its URL (the page then shows the outcome). */
export function RefreshSamlMetadataForm({
  action,
  connectionId,
}: {
  action: SamlCertificateAction;
  connectionId: string;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState());
  return (
    <form action={formAction} className="space-y-2">
      <input type="hidden" name={CONNECTION_ID_FIELD} value={connectionId} />
      <Outcome state={state} />
      <Button type="submit" variant="secondary" size="sm" pending={pending} pendingLabel="refreshing">
        Refresh now
      </Button>
    </form>
  );
}

export function UseConsoleAcsForm({ action, connectionId }: { action: SamlCertificateAction; connectionId: string }) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState());
  return (
    <form action={formAction} className="space-y-2">
      <input type="hidden" name={CONNECTION_ID_FIELD} value={connectionId} />
      <Outcome state={state} />
      <Button type="submit" variant="secondary" size="sm" pending={pending} pendingLabel="saving">
        Use this console’s ACS URL
      </Button>
    </form>
  );
}
