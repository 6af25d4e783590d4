'use client';

import { useActionState, useEffect, useRef, useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
import { Alert, Button, Field, Input } from '@/components/ui';
import { CopyButton } from '@/components/ui/copy-button';
import { initialFormState, type FormState } from '@/lib/auth/form-state';
import {
  CONFIRM_NEW_IDP_FIELD,
  CONNECTION_FIELD_LABELS,
  CONNECTION_ID_FIELD,
  CONNECTION_STATUS_VALUES,
  VERIFIED_DOMAINS_ONLY_SHOWN_FIELD,
  type ConnectionStatusValue,
} from '@/lib/validations/connection-fields';
import { HAS_SAVED_SECRET_FIELD, OIDC_FIELD_LABELS, type OidcConnectionField } from '@/lib/validations/oidc-connection-fields';
import { CONNECTION_STATUS_TEXT, CONNECTION_TEXT } from '@/lib/console/messages';
import { NewIdpConfirm } from './new-idp-confirm';
import type { OidcConnectionInput, OidcConnectionSchema } from '@/lib/validations/oidc-connection';
import { formatTime } from './format-time';
import { ProvisioningFields, type ProvisioningValues } from './provisioning-fields';

type State = FormState<OidcConnectionInput>;
export type SaveOidcConnectionAction = (prev: State, formData: FormData) => Promise<State>;

/** The connection being edited, without the secret (Grantex never returns it). */
export interface SavedConnection {
  id: string;
  name: string;
  issuerUrl: string;
  clientId: string;
  redirectUri: string;
  updatedAt: string;
  /** Its provisioning settings as the form's fields show them (see lib/console/settings/provisioning-view). */
  provisioning: ProvisioningValues;
}

/** What the "new connection" form starts with. */
export interface NewConnectionDefaults {
  name: string;
  status: ConnectionStatusValue;
  /** Why the status starts where it does. */
  statusHint: string;
}

export interface OidcConnectionFormProps {
  action: SaveOidcConnectionAction;
  /**
   * The new connection's own redirect URI (`<console>/sso/callback/<fresh key>`, made on the server); a saved
   * connection shows its registered one. Read-only either way: it is the address the console receives this
   * connection's sign-ins on.
   */
  newRedirectUri?: string;
  /** `connection` edits a saved connection; `create` starts a new one (exactly one of them). */
  connection: SavedConnection | null;
  create?: NewConnectionDefaults;
  /** Show "saved" on arrival (the page after a create); the `?saved=1` that asked for it is then dropped. */
  justSaved?: boolean;
  /** A note for the issuer field on arrival (the create trimmed a pasted discovery address). */
  issuerNote?: string;
  /** Whether plain-http loopback issuers are allowed (decided on the server, see lib/console/utils/sso-mode.ts). */
  devMode: boolean;
}

/** The rules' options, decided by the page: dev mode, and the saved secret and issuer when editing. */
interface RuleOptions {
  devMode: boolean;
  hasSavedSecret: boolean;
  savedIssuer?: string;
}

// Each new action result remounts the fields so they show what the server echoed back (React
// resets a form after an action; remounting makes that reset land on the echoed values, and the
// secret, never echoed, comes back empty as intended).
const stateIds = new WeakMap<object, number>();
let nextStateId = 0;
function stateKey(state: object): number {
  let id = stateIds.get(state);
  if (id === undefined) {
    id = nextStateId++;
    stateIds.set(state, id);
  }
  return id;
}

// The validation rules (the shared zod/mini schema and the URL rules, ~20 KB gzip with zod and
// ipaddr.js) are not needed to show the form, only to check it: they are fetched when the admin
// first focuses a field (or at the latest on blur or submit), outside the page's first load.
type Validation = typeof import('@/lib/validations/oidc-connection');
let validation: Validation | null = null;
let validationLoad: Promise<Validation> | null = null;
function loadValidation(): Promise<Validation> {
  validationLoad ??= import('@/lib/validations/oidc-connection').then(
    (mod) => (validation = mod),
    (err: unknown) => {
      validationLoad = null; // a failed fetch may be retried on the next interaction
      throw err;
    },
  );
  return validationLoad;
}

/** The form's rules once loaded (one schema per option set), else null. */
interface Rules {
  schema: OidcConnectionSchema;
  validateField(field: FormField, value: string): string | null;
  fieldErrors(data: Record<string, unknown>): Partial<Record<string, string>> | null;
}
const rulesCache = new Map<string, Rules>();
function rulesFrom(mod: Validation, options: RuleOptions): Rules {
  const key = JSON.stringify([options.devMode, options.hasSavedSecret, options.savedIssuer ?? null]);
  let rules = rulesCache.get(key);
  if (!rules) {
    const schema = mod.buildOidcConnectionSchema(options);
    rules = {
      schema,
      validateField: (field, value) => mod.validateOidcField(schema, field, value),
      fieldErrors: (data) => {
        const result = schema.safeParse(data);
        return result.success ? null : mod.fieldErrorsOf(result.error);
      },
    };
    rulesCache.set(key, rules);
  }
  return rules;
}

export function OidcConnectionForm({ action, newRedirectUri, connection, create, justSaved = false, issuerNote, devMode }: OidcConnectionFormProps) {
  const rules: RuleOptions = { devMode, hasSavedSecret: connection !== null, savedIssuer: connection?.issuerUrl };
  const [state, formAction, pending] = useActionState<State, FormData>(action, {
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
  });

  // "Saved" was asked for by the address the create redirected to; a reload must not show it again.
  useEffect(() => {
    if (!justSaved) return;
    const url = new URL(window.location.href);
    url.searchParams.delete('saved');
    url.searchParams.delete('trimmed');
    window.history.replaceState(window.history.state, '', url);
  }, [justSaved]);

  return (
    <>
      <FormBody
        key={stateKey(state)}
        state={state}
        formAction={formAction}
        pending={pending}
        connection={connection}
        create={create}
        rules={rules}
      />
      {state.suggestions?.issuerUrl ? (
        <UseIssuerForm formAction={formAction} issuer={state.suggestions.issuerUrl} state={state} connection={connection} />
      ) : null}
    </>
  );
}

/** The hidden fields that say which connection a submission is for (none on "new"). */
function ConnectionFields({ connection }: { connection: SavedConnection | null }) {
  if (!connection) return null;
  return (
    <>
      <input type="hidden" name={CONNECTION_ID_FIELD} value={connection.id} />
      {/* Tells the action which "secret is required" wording to use; nothing else depends on it. */}
      <input type="hidden" name={HAS_SAVED_SECRET_FIELD} value="1" />
    </>
  );
}

const USE_ISSUER_FORM_ID = 'sso-use-issuer';

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
  connection: SavedConnection | null;
}) {
  return (
    <form id={USE_ISSUER_FORM_ID} action={formAction} hidden>
      <input type="hidden" name="name" value={state.values.name ?? ''} />
      {state.values.status ? <input type="hidden" name="status" value={state.values.status} /> : null}
      <input type="hidden" name="issuerUrl" value={issuer} />
      <input type="hidden" name="clientId" value={state.values.clientId ?? ''} />
      <input type="hidden" name="redirectUri" value={state.values.redirectUri ?? ''} />
      {REPLAYED_FIELDS.map((field) =>
        state.values[field] !== undefined ? <input key={field} type="hidden" name={field} value={state.values[field]} /> : null,
      )}
      <ConnectionFields connection={connection} />
    </form>
  );
}

type FormField = OidcConnectionField | 'name';
const FIELD_ORDER: FormField[] = ['name', 'issuerUrl', 'clientId', 'clientSecret', 'redirectUri'];
const PROVISIONING_FIELDS = ['jitProvisioning', 'groupAttribute', 'groupMappings', 'defaultScopes'] as const;
/** What the "Use <issuer>" form sends again besides the connection fields (checkboxes only when ticked). */
const REPLAYED_FIELDS = [...PROVISIONING_FIELDS, 'verifiedDomainsOnly', VERIFIED_DOMAINS_ONLY_SHOWN_FIELD, CONFIRM_NEW_IDP_FIELD] as const;
/** Every field a refused submission reports on, in the form's order. */
const REPORTED_FIELDS: readonly string[] = [...FIELD_ORDER, ...PROVISIONING_FIELDS];
const SAVED_STATUS_ID = 'oidc-connection-saved';

function FormBody({
  state,
  formAction,
  pending,
  connection,
  create,
  rules: ruleOptions,
}: {
  state: State;
  formAction: (formData: FormData) => void;
  pending: boolean;
  connection: SavedConnection | null;
  create: NewConnectionDefaults | undefined;
  rules: RuleOptions;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const [clientErrors, setClientErrors] = useState<Partial<Record<string, string | null>>>({});
  const offerSkip = Boolean(state.fieldErrors.skipIssuerCheck) || state.values.skipIssuerCheck === 'on';
  // "Saved" belongs to the submission that produced it (this body remounts per action result). It goes
  // away as soon as the admin does anything else: edits a field, submits again (even when the browser
  // refuses the submission before it reaches the server), runs a test sign-in or opens the delete dialog.
  const [savedVisible, setSavedVisible] = useState(Boolean(state.ok && state.message));
  const showSaved = savedVisible && Boolean(state.ok && state.message && connection);
  const [submitRefused, setSubmitRefused] = useState(false);
  /** True from pointerdown on "Save" until the press ends (see onBlur). */
  const pressingSave = useRef(false);
  /** Set when the rules could not be loaded: the submission then goes to the server, which validates anyway. */
  const skipClientCheck = useRef(false);

  const loadedRules = (): Rules | null => (validation ? rulesFrom(validation, ruleOptions) : null);
  const withRules = (apply: (rules: Rules) => void) => {
    const rules = loadedRules();
    if (rules) return apply(rules);
    loadValidation().then(
      (mod) => apply(rulesFrom(mod, ruleOptions)),
      () => undefined, // the server still validates every submission
    );
  };

  // After a failed submission, put the keyboard where the first problem is.
  useEffect(() => {
    if (state.ok || Object.keys(state.fieldErrors).length === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [state]);

  // After a successful save, bring the outcome into view and put the keyboard there (instead of on
  // <body>): the status is read out, and centring it also shows the "Current configuration"
  // card with Test sign-in just above it, which on a phone is otherwise off-screen.
  useEffect(() => {
    if (!state.ok) return;
    const saved = document.getElementById(SAVED_STATUS_ID);
    if (!saved) return;
    saved.focus({ preventScroll: true });
    saved.scrollIntoView({ block: 'center' });
  }, [state]);

  useEffect(() => {
    if (!showSaved) return;
    const form = formRef.current;
    const supersede = (event: Event) => {
      const target = event.target;
      if (!(target instanceof Element)) return;
      const otherAction = event.type === 'submit' ? target !== form : target.closest('[aria-haspopup="dialog"]') !== null;
      if (otherAction) setSavedVisible(false);
    };
    document.addEventListener('submit', supersede, true);
    document.addEventListener('click', supersede, true);
    return () => {
      document.removeEventListener('submit', supersede, true);
      document.removeEventListener('click', supersede, true);
    };
  }, [showSaved]);

  // "Use <issuer>": the server proposed an issuer for a slash/case slip. One click puts it in the field.
  const suggestedIssuer = state.suggestions?.issuerUrl;
  const [appliedIssuer, setAppliedIssuer] = useState<string | null>(null);
  // The issuer as typed: a saved connection's form warns (before saving) when it names another IdP. Without
  // JavaScript the warning comes back with the answer to the first save, which the action refuses unconfirmed.
  const [typedIssuer, setTypedIssuer] = useState(state.values.issuerUrl ?? '');
  const newIdp = connection !== null && typedIssuer.trim() !== connection.issuerUrl;

  function applySuggestedIssuer(issuer: string) {
    const form = formRef.current;
    const input = form?.elements.namedItem('issuerUrl');
    if (!(input instanceof HTMLInputElement)) return;
    input.value = issuer;
    setAppliedIssuer(issuer);
    setTypedIssuer(issuer);
    setClientErrors((prev) => ({ ...prev, issuerUrl: null }));
    setSavedVisible(false);
    // The secret is never sent back after a failed save, so it is the one thing left to type.
    const secret = form?.elements.namedItem('clientSecret');
    (secret instanceof HTMLInputElement && !secret.value ? secret : input).focus();
  }

  const errorFor = (field: FormField | (typeof PROVISIONING_FIELDS)[number]): string | undefined => {
    if (field in clientErrors) return clientErrors[field] ?? undefined;
    return state.fieldErrors[field];
  };

  /** What every text field gets besides the handlers: its name and its current error. */
  const fieldProps = (field: FormField) => ({ field, error: errorFor(field) });

  // Errors appear on blur but only disappear while typing: clearing one on blur would shift the
  // layout under the pointer between mousedown and mouseup and swallow the click on "Save". For the
  // same reason a blur caused by pressing "Save" adds nothing: the submission validates every field.
  function onBlur(field: FormField, value: string) {
    if (!value || pressingSave.current) return;
    withRules((rules) => {
      const error = rules.validateField(field, value);
      if (error && error !== errorFor(field)) setClientErrors((prev) => ({ ...prev, [field]: error }));
    });
  }

  function onChange(field: FormField, value: string) {
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
    setSavedVisible(false);
    if (skipClientCheck.current) {
      skipClientCheck.current = false;
      return;
    }
    const form = event.currentTarget;
    const data = Object.fromEntries(new FormData(form).entries());
    const rules = loadedRules();
    if (rules) {
      const errors = rules.fieldErrors(data);
      if (!errors) return;
      event.preventDefault();
      refuse(errors);
      return;
    }
    // Submitted before the rules arrived (e.g. Enter right after focusing): check, then resubmit.
    event.preventDefault();
    loadValidation().then(
      (mod) => {
        const errors = rulesFrom(mod, ruleOptions).fieldErrors(data);
        if (errors) refuse(errors);
        else form.requestSubmit();
      },
      () => {
        skipClientCheck.current = true;
        form.requestSubmit();
      },
    );
  }

  const secretHint = connection ? (
    <>
      A secret is set (saved <time dateTime={connection.updatedAt}>{formatTime(connection.updatedAt)}</time>). It is never
      shown again: leave it blank to keep it, or enter it again to replace it. A new issuer needs it entered again.
    </>
  ) : state.formError ? (
    'Enter the secret again: for your safety it is never sent back to your browser.'
  ) : (
    'Grantex stores it encrypted; it is never shown again after saving.'
  );

  // The summary answers a refused submission; errors found on blur only mark their own field.
  const showClientSummary = submitRefused && Object.values(clientErrors).some(Boolean);

  const issuerNote = appliedIssuer
    ? `Issuer URL set to “${appliedIssuer}”. Enter the client secret again, then save.`
    : state.notes?.issuerUrl;

  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      onChange={() => setSavedVisible(false)}
      onFocus={() => void loadValidation().catch(() => undefined)}
      noValidate
      className="space-y-5"
    >
      <ConnectionFields connection={connection} />
      {/* Only a saved connection's form says "saved" (after a create, the connection's own page does). */}
      {showSaved ? (
        <Alert tone="success" id={SAVED_STATUS_ID} tabIndex={-1} className="scroll-mt-4 focus:outline-none">
          {state.message}.{' '}
          <a href="#sso-test" className="font-medium underline">
            Run a test sign-in
          </a>{' '}
          to check it.
        </Alert>
      ) : null}
      {!state.ok && state.formError && !showClientSummary ? <Alert tone="error">{state.formError}</Alert> : null}
      {showClientSummary ? <Alert tone="error">Some fields need your attention.</Alert> : null}

      <TextField
        {...fieldProps('name')} onFieldBlur={onBlur} onFieldChange={onChange}
        hint="How admins and members recognise it, e.g. “Okta (production)”; members see it when choosing how to sign in."
        defaultValue={state.values.name ?? ''}
        autoComplete="off"
      />

      <TextField
        {...fieldProps('issuerUrl')} onFieldBlur={onBlur} onFieldChange={onChange}
        hint={
          issuerNote ? (
            <span className="font-medium text-sky-800">{issuerNote}</span>
          ) : (
            'Your identity provider’s issuer, exactly as in its /.well-known/openid-configuration.'
          )
        }
        type="url"
        inputMode="url"
        defaultValue={state.values.issuerUrl ?? ''}
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
            applySuggestedIssuer(suggestedIssuer);
          }}
        >
          Use {suggestedIssuer}
        </Button>
      ) : null}
      <p aria-live="polite" className="sr-only">
        {appliedIssuer ? `Issuer URL set to ${appliedIssuer}.` : ''}
      </p>
      {newIdp ? <NewIdpConfirm idPrefix="sso" checked={state.values.confirmNewIdp === 'on'} error={state.fieldErrors.confirmNewIdp} /> : null}
      <TextField {...fieldProps('clientId')} onFieldBlur={onBlur} onFieldChange={onChange} defaultValue={state.values.clientId ?? ''} autoComplete="off" spellCheck={false} />
      <TextField
        {...fieldProps('clientSecret')} onFieldBlur={onBlur} onFieldChange={onChange}
        hint={secretHint}
        type="password"
        defaultValue=""
        placeholder={connection ? '•••••••• (saved)' : undefined}
        autoComplete="new-password"
        spellCheck={false}
      />
      <RedirectUriField value={(connection ? connection.redirectUri : state.values.redirectUri) ?? ''} error={errorFor('redirectUri')} />

      <ProvisioningFields
        values={state.values}
        errors={Object.fromEntries(PROVISIONING_FIELDS.map((f) => [f, errorFor(f)]))}
      />

      {create ? (
        <StatusChoice
          name="status"
          idPrefix="sso-status"
          value={isStatus(state.values.status) ? state.values.status : create.status}
          hint={create.statusHint}
          error={state.fieldErrors.status}
        />
      ) : null}

      {offerSkip ? (
        <div className="rounded-md border border-amber-200 bg-amber-50 p-3">
          <div className="flex items-start gap-2">
            <input
              id="sso-skipIssuerCheck"
              name="skipIssuerCheck"
              type="checkbox"
              defaultChecked={state.values.skipIssuerCheck === 'on'}
              aria-describedby="sso-skipIssuerCheck-hint"
              className="mt-0.5 h-4 w-4 rounded border-gray-300"
            />
            <label htmlFor="sso-skipIssuerCheck" className="text-sm font-medium text-gray-900">
              Save without checking the issuer (my IdP is only reachable from Grantex’s network)
            </label>
          </div>
          <p id="sso-skipIssuerCheck-hint" className="mt-1 pl-6 text-sm text-amber-900">
            {state.fieldErrors.skipIssuerCheck ??
              'Grantex still checks the issuer when members sign in; a wrong URL will fail then.'}
          </p>
        </div>
      ) : null}

      <Button
        type="submit"
        pending={pending}
        pendingLabel="saving"
        onPointerDown={() => {
          pressingSave.current = true;
          // A press released elsewhere submits nothing; forget it once this event turn is over.
          document.addEventListener('pointerup', () => setTimeout(() => (pressingSave.current = false)), { once: true });
        }}
      >
        {connection ? 'Save connection' : 'Create connection'}
      </Button>
    </form>
  );
}

const FIELD_LABELS: Record<FormField, string> = { ...OIDC_FIELD_LABELS, name: CONNECTION_FIELD_LABELS.name };

/** One text field of the form: label, hint and error linked to the input, validated on blur, cleared while typing. */
function TextField({
  field,
  hint,
  error,
  onFieldBlur,
  onFieldChange,
  ...input
}: {
  field: FormField;
  hint?: ReactNode;
  error?: string;
  onFieldBlur: (field: FormField, value: string) => void;
  onFieldChange: (field: FormField, value: string) => void;
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
    <Field
      id="sso-redirectUri"
      label={FIELD_LABELS.redirectUri}
      hint={CONNECTION_TEXT.redirectUriHint}
      error={error}
    >
      {(control) => (
        <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
          <Input {...control} name="redirectUri" type="url" value={value} readOnly autoComplete="off" spellCheck={false} className="font-mono" />
          <CopyButton text={value} label={CONNECTION_TEXT.copyOwnRedirectUri} />
        </div>
      )}
    </Field>
  );
}

function isStatus(value: unknown): value is ConnectionStatusValue {
  return CONNECTION_STATUS_VALUES.some((s) => s === value);
}

/**
 * The three statuses as a radio group, each with its one-line explanation (used by the "new" form and by the
 * connection page's status form). Works without JavaScript.
 */
export function StatusChoice({
  name,
  idPrefix,
  value,
  hint,
  error,
}: {
  name: string;
  idPrefix: string;
  value: ConnectionStatusValue;
  hint?: string;
  error?: string;
}) {
  const hintId = hint ? `${idPrefix}-hint` : undefined;
  const errorId = error ? `${idPrefix}-error` : undefined;
  return (
    <fieldset className="space-y-2" aria-describedby={[errorId, hintId].filter(Boolean).join(' ') || undefined}>
      <legend className="text-sm font-medium text-gray-900">{CONNECTION_FIELD_LABELS.status}</legend>
      {CONNECTION_STATUS_VALUES.map((status) => (
        <div key={status} className="flex items-start gap-2">
          <input
            id={`${idPrefix}-${status}`}
            type="radio"
            name={name}
            value={status}
            defaultChecked={status === value}
            aria-describedby={`${idPrefix}-${status}-text`}
            className="mt-0.5 h-4 w-4 border-gray-300"
          />
          <div className="text-sm">
            <label htmlFor={`${idPrefix}-${status}`} className="font-medium text-gray-900">
              {CONNECTION_STATUS_TEXT[status].label}
            </label>
            <p id={`${idPrefix}-${status}-text`} className="text-gray-600">
              {CONNECTION_STATUS_TEXT[status].explanation}
            </p>
          </div>
        </div>
      ))}
      {hint ? (
        <p id={hintId} className="text-sm text-gray-600">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-sm font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
