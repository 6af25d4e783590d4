'use client';
/**
 * The OIDC connection form (new and edit): the shared shell (./connection-form) around the OIDC field set
 * (./oidc-connection-fields), plus what only OIDC has: the browser's own check of each field with the server's
 * rules (on blur, and before a submission is sent; ./oidc-rules), the one-click "Use <issuer>" fix and the warning
 * while the typed issuer names another IdP.
 */
import { useRef, useState, type FormEvent } from 'react';
import { initialFormState, type FormState } from '@/lib/auth/form-state';
import {
  CONFIRM_NEW_IDP_FIELD,
  CONNECTION_ID_FIELD,
  VERIFIED_DOMAINS_ONLY_SHOWN_FIELD,
} from '@/lib/validations/connection-fields';
import { HAS_SAVED_SECRET_FIELD } from '@/lib/validations/oidc-connection-fields';
import type { OidcConnectionInput, OidcConnectionSchemaOptions } from '@/lib/validations/oidc-connection';
import { CONNECTION_TEXT } from '@/lib/console/messages';
import {
  ConnectionFormShell,
  useConnectionForm,
  type ConnectionForm,
  type ConnectionFormAction,
  type NewConnectionDefaults,
} from './connection-form';
import {
  OidcConnectionFields,
  PROVISIONING_FIELDS,
  USE_ISSUER_FORM_ID,
  type OidcReportedField,
  type SavedOidcConnection,
} from './oidc-connection-fields';
import { loadedOidcRules, loadOidcRules, type OidcFormField, type OidcRules } from './oidc-rules';

export type { SavedOidcConnection } from './oidc-connection-fields';

type State = FormState<OidcConnectionInput>;

export interface OidcConnectionFormProps {
  action: ConnectionFormAction<OidcConnectionInput>;
  /**
   * The new connection's own redirect URI (`<console>/sso/callback/<fresh key>`, made on the server); a saved
   * connection shows its registered one. Read-only either way: it is the address the console receives this
   * connection's sign-ins on.
   */
  newRedirectUri?: string;
  /** `connection` edits a saved connection; `create` starts a new one (exactly one of them). */
  connection: SavedOidcConnection | null;
  create?: NewConnectionDefaults;
  /** Show "saved" on arrival (the page after a create); the `?saved=1` that asked for it is then dropped. */
  justSaved?: boolean;
  /** A note for the issuer field on arrival (the create trimmed a pasted discovery address). */
  issuerNote?: string;
  /** Whether plain-http loopback issuers are allowed (decided on the server, see lib/console/utils/sso-mode.ts). */
  devMode: boolean;
}

export function OidcConnectionForm({
  action,
  newRedirectUri,
  connection,
  create,
  justSaved = false,
  issuerNote,
  devMode,
}: OidcConnectionFormProps) {
  const form = useConnectionForm<OidcConnectionInput>(
    action,
    {
      ...initialFormState<OidcConnectionInput>({
        name: connection?.name ?? create?.name ?? '',
        ...(create ? { status: create.status } : {}),
        issuerUrl: connection?.issuerUrl ?? '',
        clientId: connection?.clientId ?? '',
        redirectUri: connection?.redirectUri ?? newRedirectUri ?? '',
        ...(connection ? connection.provisioning : { jitProvisioning: 'on' }),
      }),
      ...(justSaved && connection ? { ok: true, message: CONNECTION_TEXT.saved } : {}),
      ...(issuerNote ? { notes: { issuerUrl: issuerNote } } : {}),
    },
    { justSaved },
  );
  const rules: OidcConnectionSchemaOptions = {
    devMode,
    hasSavedSecret: connection !== null,
    savedIssuer: connection?.issuerUrl,
  };
  const suggestion = form.state.suggestions?.issuerUrl;
  return (
    <>
      <OidcFormBody key={form.key} form={form} connection={connection} create={create} rules={rules} />
      {suggestion ? (
        <UseIssuerForm formAction={form.formAction} issuer={suggestion} state={form.state} connection={connection} />
      ) : null}
    </>
  );
}

/** The hidden field that picks the secret rule's wording on an edit (the shell adds the connection's id). */
function SavedSecretField({ connection }: { connection: SavedOidcConnection | null }) {
  return connection ? <input type="hidden" name={HAS_SAVED_SECRET_FIELD} value="1" /> : null;
}

/** What the "Use <issuer>" form sends again besides the connection fields (checkboxes only when ticked). */
const REPLAYED_FIELDS = [
  ...PROVISIONING_FIELDS,
  'verifiedDomainsOnly',
  VERIFIED_DOMAINS_ONLY_SHOWN_FIELD,
  CONFIRM_NEW_IDP_FIELD,
] as const;

/**
 * What the "Use <issuer>" button submits when JavaScript is off: the form's other values with the proposed
 * issuer. The secret is never in the page, so the answer asks for it again, with the issuer now filled in.
 */
function UseIssuerForm({
  formAction,
  issuer,
  state,
  connection,
}: {
  formAction: (formData: FormData) => void;
  issuer: string;
  state: State;
  connection: SavedOidcConnection | null;
}) {
  return (
    <form id={USE_ISSUER_FORM_ID} action={formAction} hidden>
      {connection ? <input type="hidden" name={CONNECTION_ID_FIELD} value={connection.id} /> : null}
      <SavedSecretField connection={connection} />
      <input type="hidden" name="name" value={state.values.name ?? ''} />
      {state.values.status ? <input type="hidden" name="status" value={state.values.status} /> : null}
      <input type="hidden" name="issuerUrl" value={issuer} />
      <input type="hidden" name="clientId" value={state.values.clientId ?? ''} />
      <input type="hidden" name="redirectUri" value={state.values.redirectUri ?? ''} />
      {REPLAYED_FIELDS.map((field) =>
        state.values[field] !== undefined ? (
          <input key={field} type="hidden" name={field} value={state.values[field]} />
        ) : null,
      )}
    </form>
  );
}

/** Every field a refused submission reports on, in the form's order. */
const REPORTED_FIELDS: readonly OidcReportedField[] = [
  'name',
  'issuerUrl',
  'clientId',
  'clientSecret',
  'redirectUri',
  ...PROVISIONING_FIELDS,
];

/** One answer's form (remounted per answer): the browser's checks and the issuer fix around the fields. */
function OidcFormBody({
  form,
  connection,
  create,
  rules: ruleOptions,
}: {
  form: ConnectionForm<OidcConnectionInput>;
  connection: SavedOidcConnection | null;
  create: NewConnectionDefaults | undefined;
  rules: OidcConnectionSchemaOptions;
}) {
  const { state } = form;
  const formRef = useRef<HTMLFormElement>(null);
  const [clientErrors, setClientErrors] = useState<Partial<Record<string, string | null>>>({});
  const [submitRefused, setSubmitRefused] = useState(false);
  /** True from pointerdown on "Save" until the press ends (see onBlur). */
  const pressingSave = useRef(false);
  /** Set when the rules could not be loaded: the submission then goes to the server, which validates anyway. */
  const skipClientCheck = useRef(false);

  const withRules = (apply: (rules: OidcRules) => void) => {
    const rules = loadedOidcRules(ruleOptions);
    if (rules) return apply(rules);
    loadOidcRules(ruleOptions).then(apply, () => undefined); // the server still validates every submission
  };

  // "Use <issuer>": the server proposed an issuer for a slash/case slip. One click puts it in the field.
  const [appliedIssuer, setAppliedIssuer] = useState<string | null>(null);
  // The issuer as typed: a saved connection's form warns (before saving) when it names another IdP. Without
  // JavaScript the warning comes back with the answer to the first save, which the action refuses unconfirmed.
  const [typedIssuer, setTypedIssuer] = useState(state.values.issuerUrl ?? '');
  const newIdp = connection !== null && typedIssuer.trim() !== connection.issuerUrl;

  function applySuggestedIssuer(issuer: string) {
    const formEl = formRef.current;
    const input = formEl?.elements.namedItem('issuerUrl');
    if (!(input instanceof HTMLInputElement)) return;
    input.value = issuer;
    setAppliedIssuer(issuer);
    setTypedIssuer(issuer);
    setClientErrors((prev) => ({ ...prev, issuerUrl: null }));
    // The secret is never sent back after a failed save, so it is the one thing left to type.
    const secret = formEl?.elements.namedItem('clientSecret');
    (secret instanceof HTMLInputElement && !secret.value ? secret : input).focus();
  }

  const errorFor = (field: OidcReportedField): string | undefined => {
    if (field in clientErrors) return clientErrors[field] ?? undefined;
    return state.fieldErrors[field];
  };

  // Errors appear on blur but only disappear while typing: clearing one on blur would shift the
  // layout under the pointer between mousedown and mouseup and swallow the click on "Save". For the
  // same reason a blur caused by pressing "Save" adds nothing: the submission validates every field.
  function onBlur(field: OidcFormField, value: string) {
    if (!value || pressingSave.current) return;
    withRules((rules) => {
      const error = rules.validateField(field, value);
      if (error && error !== errorFor(field)) setClientErrors((prev) => ({ ...prev, [field]: error }));
    });
  }

  function onChange(field: OidcFormField, value: string) {
    if (field === 'issuerUrl') setTypedIssuer(value);
    if (!errorFor(field)) return;
    withRules((rules) => setClientErrors((prev) => ({ ...prev, [field]: rules.validateField(field, value) })));
  }

  function refuse(errors: Partial<Record<string, string>>) {
    setSubmitRefused(true);
    setClientErrors(Object.fromEntries(REPORTED_FIELDS.map((f) => [f, errors[f] ?? null])));
    const first = REPORTED_FIELDS.find((f) => errors[f]);
    if (first) formRef.current?.querySelector<HTMLElement>(`#sso-${first}`)?.focus();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    pressingSave.current = false;
    if (skipClientCheck.current) {
      skipClientCheck.current = false;
      return;
    }
    const formEl = event.currentTarget;
    const data = Object.fromEntries(new FormData(formEl).entries());
    const rules = loadedOidcRules(ruleOptions);
    if (rules) {
      const errors = rules.fieldErrors(data);
      if (!errors) return;
      event.preventDefault();
      refuse(errors);
      return;
    }
    // Submitted before the rules arrived (e.g. Enter right after focusing): check, then resubmit.
    event.preventDefault();
    loadOidcRules(ruleOptions).then(
      (loaded) => {
        const errors = loaded.fieldErrors(data);
        if (errors) refuse(errors);
        else formEl.requestSubmit();
      },
      () => {
        skipClientCheck.current = true;
        formEl.requestSubmit();
      },
    );
  }

  // The summary answers a refused submission; errors found on blur only mark their own field.
  const showClientSummary = submitRefused && Object.values(clientErrors).some(Boolean);

  return (
    <ConnectionFormShell
      form={form}
      connectionId={connection?.id ?? null}
      formRef={formRef}
      formError={showClientSummary ? 'Some fields need your attention.' : undefined}
      onSubmit={onSubmit}
      onFocus={() => void loadOidcRules(ruleOptions).catch(() => undefined)}
      onSubmitPointerDown={() => {
        pressingSave.current = true;
        // A press released elsewhere submits nothing; forget it once this event turn is over.
        document.addEventListener('pointerup', () => setTimeout(() => (pressingSave.current = false)), { once: true });
      }}
    >
      <SavedSecretField connection={connection} />
      <OidcConnectionFields
        values={state.values}
        serverErrors={state.fieldErrors}
        errorFor={errorFor}
        onFieldBlur={onBlur}
        onFieldChange={onChange}
        connection={connection}
        create={create}
        redirectUri={(connection ? connection.redirectUri : state.values.redirectUri) ?? ''}
        issuerNote={
          appliedIssuer
            ? `Issuer URL set to “${appliedIssuer}”. Enter the client secret again, then save.`
            : state.notes?.issuerUrl
        }
        suggestedIssuer={state.suggestions?.issuerUrl}
        appliedIssuer={appliedIssuer}
        onUseIssuer={applySuggestedIssuer}
        newIdp={newIdp}
        failed={Boolean(state.formError)}
      />
    </ConnectionFormShell>
  );
}
