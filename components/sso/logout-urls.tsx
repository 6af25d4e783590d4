'use client';
/**
 * The logout part of a connection's page: the URLs to give the identity provider (SAML SingleLogoutService; OIDC
 * back-channel logout URI and post-logout redirect URI), and for SAML the IdP's own single logout URL, saved with
 * a plain form (a server action, authorized on every call; works without JavaScript).
 */
import { useActionState } from 'react';
import { LOGOUT_TEXT } from '@/lib/console/messages';
import { Alert, Button, Field, Input } from '@/components/ui';
import { CodeValue } from '@/components/ui/code-value';
import { initialFormState, type FormState } from '@/lib/auth/form-state';
import { CONNECTION_ID_FIELD } from '@/lib/validations/connection-fields';

type State = FormState<Record<string, string>>;
export type LogoutUrlAction = (prev: State, formData: FormData) => Promise<State>;

export function SamlLogoutUrls({
  connectionId,
  spSloUrl,
  idpSloUrl,
  action,
}: {
  connectionId: string;
  spSloUrl: string | undefined;
  idpSloUrl: string | null;
  action: LogoutUrlAction;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState());
  const value = state.values.idpSloUrl ?? idpSloUrl ?? '';
  return (
    <div className="space-y-5">
      {spSloUrl ? (
        <div className="space-y-1.5">
          <h3 className="text-sm font-medium text-gray-900">{LOGOUT_TEXT.sloUrlLabel}</h3>
          <CodeValue value={spSloUrl} copyLabel="Copy single logout URL" />
          <p className="text-sm text-gray-600">{LOGOUT_TEXT.sloUrlHint}</p>
        </div>
      ) : null}
      <form action={formAction} className="space-y-3" noValidate>
        <input type="hidden" name={CONNECTION_ID_FIELD} value={connectionId} />
        {state.ok && state.message ? <Alert tone="success">{state.message}</Alert> : null}
        {!state.ok && state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
        <Field
          id="idp-slo-url"
          label={LOGOUT_TEXT.idpSloUrlLabel}
          hint={LOGOUT_TEXT.idpSloUrlHint}
          error={state.fieldErrors.idpSloUrl}
        >
          <Input name="idpSloUrl" type="url" defaultValue={value} key={value} autoComplete="off" />
        </Field>
        <Button type="submit" variant="secondary" size="sm" pending={pending} pendingLabel="saving">
          Save logout URL
        </Button>
      </form>
    </div>
  );
}

export function OidcLogoutUrls({
  backchannelLogoutUri,
  postLogoutRedirectUri,
}: {
  backchannelLogoutUri: string | undefined;
  postLogoutRedirectUri: string;
}) {
  return (
    <div className="space-y-3">
      {backchannelLogoutUri ? (
        <div className="space-y-1.5">
          <h3 className="text-sm font-medium text-gray-900">{LOGOUT_TEXT.backchannelLabel}</h3>
          <CodeValue value={backchannelLogoutUri} copyLabel="Copy back-channel logout URI" />
        </div>
      ) : null}
      <p className="text-sm text-gray-600">{LOGOUT_TEXT.backchannelHint}</p>
      <CodeValue value={postLogoutRedirectUri} copyLabel="Copy post-logout redirect URI" />
    </div>
  );
}
