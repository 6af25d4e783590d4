/**
 * What the connection actions of "new" (`new/actions.ts`) and of a connection's page (`[connectionId]/actions.ts`,
 * `[connectionId]/saml-actions.ts`) share: the save wrappers of the two connection forms, Grantex's rejections as
 * field errors, the issuer check, this org's connection, and the log line of a failed Grantex call.
 *
 * Both save wrappers go through `connectionsAction` (the API-key admin or a setup-link user, authorized on every
 * call), whose typed result `{ ok, message, fieldErrors, formError, values }` is what the form shell
 * (components/sso/connection-form.tsx) renders: values are kept after an error, the write-only secret
 * (`clientSecret`, `idpCertificate`) never.
 */
import 'server-only';
import { connectionsAction, type ConnectionsActor } from '@/lib/auth';
import type { ActionOutcome } from '@/lib/auth/action';
import type { FormState } from '@/lib/auth/form-state';
import { isGrantexError } from '@/lib/grantex/errors';
import { fieldReasonsOf } from '@/lib/grantex/field-errors';
import type { SsoConnection } from '@/lib/contract';
import { CONNECTION_ERRORS, fieldErrorsText, SAML_TEXT, SETTINGS_ERRORS } from '@/lib/console/messages';
import { checkIssuer } from '@/lib/console/settings/issuer-check';
import { trimPastedDiscoveryUrl } from '@/lib/console/settings/issuer-fixes';
import { logSsoEvent } from '@/lib/console/utils/log';
import { ssoDevMode } from '@/lib/console/utils/sso-mode';
import {
  buildOidcConnectionSchema,
  HAS_SAVED_SECRET_FIELD,
  type OidcConnectionInput,
  type OidcConnectionValues,
} from '@/lib/validations/oidc-connection';
import {
  buildSamlConnectionSchema,
  type SamlConnectionInput,
  type SamlConnectionValues,
} from '@/lib/validations/saml-connection';

export type OidcOutcome = ActionOutcome<OidcConnectionInput>;
export type SamlOutcome = ActionOutcome<SamlConnectionInput>;

/** One log line for a failed Grantex call, then the error goes on to connectionsAction (which words it). */
export function logConnectionFailure(
  event: string,
  requestId: string,
  actor: ConnectionsActor,
  err: unknown,
  connection?: string,
): void {
  logSsoEvent(event, {
    requestId,
    org: actor.developerId,
    ...(connection ? { connection } : {}),
    outcome: isGrantexError(err) ? err.kind : 'unexpected',
    grantexRequestId: isGrantexError(err) ? err.requestId : null,
  });
}

/** This org's connection, or an outcome saying it is gone (unknown and other-org ids alike). */
export async function ownConnection(
  actor: ConnectionsActor,
  id: string,
  requestId: string,
): Promise<SsoConnection | { formError: string }> {
  try {
    return await actor.grantex({ requestId }).sso.connections.get(id);
  } catch (err) {
    if (isGrantexError(err) && err.kind === 'not_found') return { formError: CONNECTION_ERRORS.not_found };
    throw err;
  }
}

export function isConnection(value: SsoConnection | { formError: string }): value is SsoConnection {
  return 'id' in value;
}

// ─── OIDC ────────────────────────────────────────────────────────────────────────────────────────

/** How the OIDC save ran: the dev-mode switch, and whether the issuer was a pasted discovery address (trimmed). */
export interface OidcSaveContext {
  devMode: boolean;
  trimmed: boolean;
}

/**
 * The OIDC connection form's action around `handler` (create on "new", update on a connection's page). On an
 * edit the hidden `hasSavedSecret` field only picks the wording of the secret rule in the schema, and the typed
 * issuer lets a blank secret through it; whether a blank secret may keep the saved one is decided by the handler
 * from the connection Grantex returns. A pasted discovery address is trimmed before parsing, and the form says so.
 */
export function oidcSaveAction(
  editing: boolean,
  handler: (
    input: OidcConnectionValues,
    actor: ConnectionsActor,
    formData: FormData,
    context: OidcSaveContext,
  ) => Promise<OidcOutcome>,
): (prev: FormState<OidcConnectionInput>, formData: FormData) => Promise<FormState<OidcConnectionInput>> {
  return async (prev, formData) => {
    const devMode = ssoDevMode();
    const { note } = trimPastedDiscoveryUrl(formData);
    const issuer = formData.get('issuerUrl');
    const schema = buildOidcConnectionSchema({
      devMode,
      hasSavedSecret: editing && formData.get(HAS_SAVED_SECRET_FIELD) === '1',
      savedIssuer: editing && typeof issuer === 'string' ? issuer.trim() : undefined,
    });
    const action = connectionsAction(
      editing ? 'updateOidcConnection' : 'createOidcConnection',
      schema,
      (input, actor, data) => handler(input, actor, data, { devMode, trimmed: Boolean(note) }),
      {
        neverEcho: ['clientSecret'],
      },
    );
    const state = await action(prev, formData);
    return note ? { ...state, notes: { ...state.notes, issuerUrl: note } } : state;
  };
}

/** The issuer check before anything is sent to Grantex; an outcome to return when it failed. */
export async function issuerProblem(
  issuerUrl: string,
  devMode: boolean,
  log: (outcome: string) => void,
): Promise<OidcOutcome | null> {
  const check = await checkIssuer(issuerUrl, { devMode });
  if (check.ok) return null;
  log(`issuer_${check.reason}`);
  return {
    fieldErrors: {
      issuerUrl: check.message,
      ...(check.reachability ? { skipIssuerCheck: SETTINGS_ERRORS.skip_check_offer } : {}),
    },
    formError: SETTINGS_ERRORS.issuer_not_verified,
    // A slash or case slip: the form offers "Use <issuer>" (the next save checks it again like any value).
    ...(check.suggestedIssuer ? { suggestions: { issuerUrl: check.suggestedIssuer } } : {}),
  };
}

/** Grantex's reasons that name the OIDC form's fields go next to them; any other rejection is rethrown. */
export function oidcRejection(err: unknown): OidcOutcome {
  if (isGrantexError(err) && err.kind === 'validation' && err.fieldErrors) {
    return { fieldErrors: fieldErrorsText(err.fieldErrors), formError: SETTINGS_ERRORS.config_rejected };
  }
  throw err;
}

// ─── SAML ────────────────────────────────────────────────────────────────────────────────────────

/** The SAML connection form's action around `handler` (create on "new", update on a connection's page). */
export function samlSaveAction(
  editing: boolean,
  handler: (input: SamlConnectionValues, actor: ConnectionsActor) => Promise<SamlOutcome>,
): (prev: FormState<SamlConnectionInput>, formData: FormData) => Promise<FormState<SamlConnectionInput>> {
  return async (prev, formData) => {
    const schema = buildSamlConnectionSchema({ devMode: ssoDevMode(), editing });
    return connectionsAction(editing ? 'updateSamlConnection' : 'createSamlConnection', schema, handler, {
      neverEcho: ['idpCertificate'],
    })(prev, formData);
  };
}

/** Fields Grantex may name in a SAML rejection, shown next to the form's own fields. */
export const SAML_FORM_FIELDS = [
  'name',
  'idpMetadataUrl',
  'idpMetadataXml',
  'idpEntityId',
  'idpSsoUrl',
  'idpCertificate',
  'addIdpCertificate',
  'removeIdpCertificateFingerprint',
] as const;
export type SamlFormField = (typeof SAML_FORM_FIELDS)[number];

/** A Grantex rejection of a SAML change as field errors (when every reason names a field) or one form-level sentence. */
export function samlRejection<V>(err: unknown, rename: Partial<Record<SamlFormField, string>> = {}): ActionOutcome<V> {
  if (isGrantexError(err) && err.kind === 'not_found') return { formError: CONNECTION_ERRORS.not_found };
  if (isGrantexError(err) && err.kind === 'validation') {
    const reasons = fieldReasonsOf(err, SAML_FORM_FIELDS);
    if (reasons) {
      // A pasted certificate bundle's refusals have their own codes, worded for the form.
      for (const e of err.errors ?? []) {
        const text = e.field && SAML_CERTIFICATE_CODE_TEXT[e.code];
        if (text) reasons[e.field as SamlFormField] = text;
      }
      const fieldErrors = Object.fromEntries(
        Object.entries(reasons).map(([f, why]) => [rename[f as SamlFormField] ?? f, capitalize(String(why))]),
      );
      return { fieldErrors: fieldErrors as ActionOutcome<V>['fieldErrors'], formError: SAML_TEXT.rejected };
    }
    return { formError: err.message };
  }
  throw err;
}

const capitalize = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

const SAML_CERTIFICATE_CODE_TEXT: Partial<Record<string, string>> = {
  certificate_missing: SAML_TEXT.certificateMissing,
  certificate_ambiguous: SAML_TEXT.certificateAmbiguous,
};
