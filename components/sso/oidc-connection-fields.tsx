'use client';
/**
 * The OIDC connection form's fields (inside the shared shell, ./connection-form): name, issuer (with the one-click
 * "Use <issuer>" fix and the new-IdP confirmation), client ID, the write-only client secret, the read-only redirect
 * URI, provisioning, the status (new only) and "save without checking the issuer" once it is offered. Plain fields:
 * the checks and their state live in ./oidc-connection-form.
 */
import type { InputHTMLAttributes, ReactNode } from 'react';
import { Button, Field, Input } from '@/components/ui';
import { CopyButton } from '@/components/ui/copy-button';
import { CONNECTION_TEXT } from '@/lib/console/messages';
import { CONNECTION_FIELD_LABELS } from '@/lib/validations/connection-fields';
import { OIDC_FIELD_LABELS } from '@/lib/validations/oidc-connection-fields';
import type { NewConnectionDefaults } from './connection-form';
import { formatTime } from './format-time';
import { NewIdpConfirm } from './new-idp-confirm';
import type { OidcFormField } from './oidc-rules';
import { ProvisioningFields, type ProvisioningValues } from './provisioning-fields';
import { isConnectionStatus, StatusChoice } from './status-choice';

export const PROVISIONING_FIELDS = ['jitProvisioning', 'groupAttribute', 'groupMappings', 'defaultScopes'] as const;
export type OidcReportedField = OidcFormField | (typeof PROVISIONING_FIELDS)[number];

/** The saved connection the form edits, without the secret (Grantex never returns it). */
export interface SavedOidcConnection {
  id: string;
  name: string;
  issuerUrl: string;
  clientId: string;
  redirectUri: string;
  updatedAt: string;
  /** Its provisioning settings as the form's fields show them (see lib/console/settings/provisioning-view). */
  provisioning: ProvisioningValues;
}

/** The id of the small form the "Use <issuer>" button submits without JavaScript (see UseIssuerForm). */
export const USE_ISSUER_FORM_ID = 'sso-use-issuer';

export interface OidcConnectionFieldsProps {
  /** The values to show: the action's echo, or the saved connection's (never the secret). */
  values: Partial<Record<string, string>>;
  /** The action's field errors (the fields the client does not check: status, confirmation, skip). */
  serverErrors: Partial<Record<string, string>>;
  /** A field's current error (the client's check when it ran, else the action's). */
  errorFor: (field: OidcReportedField) => string | undefined;
  onFieldBlur: (field: OidcFormField, value: string) => void;
  onFieldChange: (field: OidcFormField, value: string) => void;
  connection: SavedOidcConnection | null;
  create: NewConnectionDefaults | undefined;
  /** The redirect URI shown (read-only): the saved one, or the new connection's. */
  redirectUri: string;
  /** A note under the issuer (a pasted discovery address was trimmed; "Use <issuer>" was applied). */
  issuerNote: string | undefined;
  /** The issuer the server proposes for a slash/case slip, while it is not applied. */
  suggestedIssuer: string | undefined;
  appliedIssuer: string | null;
  onUseIssuer: (issuer: string) => void;
  /** The typed issuer names another IdP than the saved one: the confirmation shows. */
  newIdp: boolean;
  /** The last save failed on the form level: the secret hint asks for it again. */
  failed: boolean;
}

export function OidcConnectionFields(props: OidcConnectionFieldsProps) {
  const { values, serverErrors, errorFor, connection, create, suggestedIssuer, appliedIssuer } = props;
  const text = (field: OidcFormField) => ({
    field,
    error: errorFor(field),
    onFieldBlur: props.onFieldBlur,
    onFieldChange: props.onFieldChange,
  });
  const offerSkip = Boolean(serverErrors.skipIssuerCheck) || values.skipIssuerCheck === 'on';
  const secretHint = connection ? (
    <>
      A secret is set (saved <time dateTime={connection.updatedAt}>{formatTime(connection.updatedAt)}</time>). It is
      never shown again: leave it blank to keep it, or enter it again to replace it. A new issuer needs it entered
      again.
    </>
  ) : props.failed ? (
    'Enter the secret again: for your safety it is never sent back to your browser.'
  ) : (
    'Grantex stores it encrypted; it is never shown again after saving.'
  );

  return (
    <>
      <TextField
        {...text('name')}
        hint="How admins and members recognise it, e.g. “Okta (production)”; members see it when choosing how to sign in."
        defaultValue={values.name ?? ''}
        autoComplete="off"
      />

      <TextField
        {...text('issuerUrl')}
        hint={
          props.issuerNote ? (
            <span className="font-medium text-sky-800">{props.issuerNote}</span>
          ) : (
            'Your identity provider’s issuer, exactly as in its /.well-known/openid-configuration.'
          )
        }
        type="url"
        inputMode="url"
        defaultValue={values.issuerUrl ?? ''}
        placeholder="https://idp.example.com"
        autoComplete="off"
        spellCheck={false}
      />
      {suggestedIssuer && !appliedIssuer ? (
        // Belongs to the small form next to this one (`form` attribute), so it is never this form's default
        // button (Enter still saves). Without JavaScript it submits that form, and the page comes back with this
        // issuer filled in and the client secret to enter again.
        <Button
          type="submit"
          form={USE_ISSUER_FORM_ID}
          variant="secondary"
          size="sm"
          className="-mt-3 h-auto! min-h-8 py-1 text-left break-all whitespace-normal!"
          onClick={(event) => {
            event.preventDefault();
            props.onUseIssuer(suggestedIssuer);
          }}
        >
          Use {suggestedIssuer}
        </Button>
      ) : null}
      <p aria-live="polite" className="sr-only">
        {appliedIssuer ? `Issuer URL set to ${appliedIssuer}.` : ''}
      </p>
      {props.newIdp ? (
        <NewIdpConfirm idPrefix="sso" checked={values.confirmNewIdp === 'on'} error={serverErrors.confirmNewIdp} />
      ) : null}
      <TextField {...text('clientId')} defaultValue={values.clientId ?? ''} autoComplete="off" spellCheck={false} />
      {/* Write-only: never given a value, so a saved or typed secret is never in the page. */}
      <TextField
        {...text('clientSecret')}
        hint={secretHint}
        type="password"
        defaultValue=""
        placeholder={connection ? '•••••••• (saved)' : undefined}
        autoComplete="new-password"
        spellCheck={false}
      />
      <RedirectUriField value={props.redirectUri} error={errorFor('redirectUri')} />

      <ProvisioningFields
        values={values}
        errors={Object.fromEntries(PROVISIONING_FIELDS.map((f) => [f, errorFor(f)]))}
      />

      {create ? (
        <StatusChoice
          name="status"
          idPrefix="sso-status"
          value={isConnectionStatus(values.status) ? values.status : create.status}
          hint={create.statusHint}
          error={serverErrors.status}
        />
      ) : null}

      {offerSkip ? (
        <SkipIssuerCheck checked={values.skipIssuerCheck === 'on'} error={serverErrors.skipIssuerCheck} />
      ) : null}
    </>
  );
}

const FIELD_LABELS: Record<OidcFormField, string> = { ...OIDC_FIELD_LABELS, name: CONNECTION_FIELD_LABELS.name };

/** One text field: label, hint and error linked to the input, checked on blur, cleared while typing. */
function TextField({
  field,
  hint,
  error,
  onFieldBlur,
  onFieldChange,
  ...input
}: {
  field: OidcFormField;
  hint?: ReactNode;
  error?: string;
  onFieldBlur: (field: OidcFormField, value: string) => void;
  onFieldChange: (field: OidcFormField, value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'onBlur' | 'onChange'>) {
  return (
    <Field id={`sso-${field}`} label={FIELD_LABELS[field]} hint={hint} error={error}>
      <Input
        name={field}
        onBlur={(e) => onFieldBlur(field, e.currentTarget.value)}
        onChange={(e) => onFieldChange(field, e.currentTarget.value)}
        {...input}
      />
    </Field>
  );
}

/**
 * The redirect URI, read-only with a copy button: the console picks it (each connection has its own address),
 * the admin registers it at the IdP. It is still a form field, so a create sends it.
 */
function RedirectUriField({ value, error }: { value: string; error?: string }) {
  return (
    <Field id="sso-redirectUri" label={FIELD_LABELS.redirectUri} hint={CONNECTION_TEXT.redirectUriHint} error={error}>
      {(control) => (
        <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
          <Input
            {...control}
            name="redirectUri"
            type="url"
            value={value}
            readOnly
            autoComplete="off"
            spellCheck={false}
            className="font-mono"
          />
          <CopyButton text={value} label={CONNECTION_TEXT.copyOwnRedirectUri} />
        </div>
      )}
    </Field>
  );
}

/** Offered after the issuer could not be reached: the admin's deliberate override (Grantex still checks at sign-in). */
function SkipIssuerCheck({ checked, error }: { checked: boolean; error: string | undefined }) {
  return (
    <div className="rounded-md border border-amber-200 bg-amber-50 p-3">
      <div className="flex items-start gap-2">
        <input
          id="sso-skipIssuerCheck"
          name="skipIssuerCheck"
          type="checkbox"
          defaultChecked={checked}
          aria-describedby="sso-skipIssuerCheck-hint"
          className="mt-0.5 h-4 w-4 rounded border-gray-300"
        />
        <label htmlFor="sso-skipIssuerCheck" className="text-sm font-medium text-gray-900">
          Save without checking the issuer (my IdP is only reachable from Grantex’s network)
        </label>
      </div>
      <p id="sso-skipIssuerCheck-hint" className="mt-1 pl-6 text-sm text-amber-900">
        {error ?? 'Grantex still checks the issuer when members sign in; a wrong URL will fail then.'}
      </p>
    </div>
  );
}
