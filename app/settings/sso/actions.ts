'use server';
/**
 * Mutations of the SSO connection pages. Each goes through `adminAction`, which authorizes (every
 * time, not only in the proxy), parses all fields with the shared schema and never echoes the
 * secret; the handlers add the issuer check, the Grantex call, one log line and revalidation.
 * Another organization's connection id is a not_found from Grantex, like an unknown one.
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { connectionsAction, type ConnectionsActor } from '@/lib/auth';
import { isGrantexError } from '@/lib/grantex/errors';
import {
  buildOidcConnectionSchema,
  CONNECTION_ID_FIELD,
  CONNECTION_STATUS_VALUES,
  HAS_SAVED_SECRET_FIELD,
  keepsSavedSecret,
  SECRET_REQUIRED_NEW_ISSUER,
  type OidcConnectionInput,
  type OidcConnectionValues,
} from '@/lib/validations/oidc-connection';
import type { FormState } from '@/lib/auth/form-state';
import type { ActionOutcome } from '@/lib/auth/action';
import type { SsoConnection } from '@/lib/contract';
import { ssoDevMode } from '@/lib/console/utils/sso-mode';
import { newConnectionStatus } from '@/lib/console/settings/new-connection-status';
import { checkIssuer } from '@/lib/console/settings/issuer-check';
import { trimPastedDiscoveryUrl } from '@/lib/console/settings/issuer-fixes';
import { logSsoEvent } from '@/lib/console/utils/log';
import { provisioningSettings } from '@/lib/validations/provisioning';
import { provisioningFormValues } from '@/lib/console/settings/provisioning-view';
import { redirectUriView } from '@/lib/console/settings/redirect-uri';
import { callbackKind } from '@/lib/console/member-login/callback-address';
import { env } from '@/lib/env';
import { CONNECTION_ERRORS, CONNECTION_STATUS_TEXT, CONNECTION_TEXT, fieldErrorsText, NEW_IDP_TEXT, SETTINGS_ERRORS, SAML_TEXT } from '@/lib/console/messages';

const SETTINGS_PATH = '/settings/sso';
const connectionPath = (id: string) => `${SETTINGS_PATH}/${encodeURIComponent(id)}`;

type Outcome = ActionOutcome<OidcConnectionInput>;

/** One log line for a failed Grantex call, then the error goes on to adminAction (which words it). */
function logFailure(event: string, requestId: string, actor: ConnectionsActor, err: unknown, extra: Record<string, unknown> = {}): void {
  logSsoEvent(event, {
    requestId,
    org: actor.developerId,
    ...extra,
    outcome: isGrantexError(err) ? err.kind : 'unexpected',
    grantexRequestId: isGrantexError(err) ? err.requestId : null,
  });
}

/** The issuer check before anything is sent to Grantex; an outcome to return when it failed. */
async function issuerProblem(issuerUrl: string, devMode: boolean, log: (outcome: string) => void): Promise<Outcome | null> {
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

/** Grantex's reasons that name the form's fields go next to them; any other rejection is rethrown. */
function rejection(err: unknown): Outcome {
  if (isGrantexError(err) && err.kind === 'validation' && err.fieldErrors) {
    return { fieldErrors: fieldErrorsText(err.fieldErrors), formError: SETTINGS_ERRORS.config_rejected };
  }
  throw err;
}

/** This org's connection, or an outcome saying it is gone (unknown and other-org ids alike). */
async function ownConnection(actor: ConnectionsActor, id: string, requestId: string): Promise<SsoConnection | Outcome> {
  try {
    return await actor.grantex({ requestId }).getConnection(id);
  } catch (err) {
    if (isGrantexError(err) && err.kind === 'not_found') return { formError: CONNECTION_ERRORS.not_found };
    throw err;
  }
}

function isConnection(value: SsoConnection | Outcome): value is SsoConnection {
  return 'id' in value;
}

/** The entries of `next` whose value differs from the connection's (a missing group claim counts as null). */
function changedFields<T extends Partial<Record<keyof SsoConnection, unknown>>>(current: SsoConnection, next: T): Partial<T> {
  // A Grantex without `verifiedDomainsOnly` has it off.
  const saved: Record<string, unknown> = { ...current, groupAttribute: current.groupAttribute ?? null, verifiedDomainsOnly: current.verifiedDomainsOnly ?? false };
  return Object.fromEntries(Object.entries(next).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(saved[key]))) as Partial<T>;
}

/** `trimmed`: the issuer was a pasted discovery address, trimmed before validation (the new page says so). */
async function createConnection(input: OidcConnectionValues, actor: ConnectionsActor, devMode: boolean, trimmed: boolean): Promise<Outcome> {
  const requestId = randomUUID();
  const log = (outcome: string, extra: Record<string, unknown> = {}) =>
    logSsoEvent('create_connection', { requestId, org: actor.developerId, outcome, ...extra });
  // The form shows a fresh address of this console's (read-only); anything else was not typed in this form.
  if (callbackKind(env().APP_URL, input.redirectUri) !== 'own') {
    log('redirect_uri_not_own');
    return { fieldErrors: { redirectUri: CONNECTION_TEXT.redirectUriNotOwn } };
  }
  if (!input.skipIssuerCheck) {
    const problem = await issuerProblem(input.issuerUrl, devMode, log);
    if (problem) return problem;
  }
  const grantex = actor.grantex({ requestId });
  let created: SsoConnection;
  try {
    created = await grantex.createConnection({
      name: input.name,
      protocol: 'oidc',
      status: await newConnectionStatus(grantex, input.status),
      issuerUrl: input.issuerUrl,
      clientId: input.clientId,
      clientSecret: input.clientSecret ?? '',
      redirectUri: input.redirectUri,
      ...provisioningSettings(input),
    });
  } catch (err) {
    logFailure('create_connection', requestId, actor, err);
    return rejection(err);
  }
  log('created', { connection: created.id, issuerChecked: !input.skipIssuerCheck });
  revalidatePath(SETTINGS_PATH);
  redirect(`${connectionPath(created.id)}?saved=1${trimmed ? '&trimmed=1' : ''}`);
}

async function updateConnection(id: string, input: OidcConnectionValues, actor: ConnectionsActor, devMode: boolean): Promise<Outcome> {
  const requestId = randomUUID();
  const log = (outcome: string, extra: Record<string, unknown> = {}) =>
    logSsoEvent('save_connection', { requestId, org: actor.developerId, connection: id, outcome, ...extra });
  const current = await ownConnection(actor, id, requestId);
  if (!isConnection(current)) return current;
  // A SAML connection has its own form (saml-actions.ts); this one only edits OIDC settings.
  if (current.protocol !== 'oidc') return { formError: SAML_TEXT.oidcFormOnly };
  const secret = input.clientSecret?.trim() ? input.clientSecret : undefined;
  // Authoritative here (the form's rule only words it): a saved secret never follows the connection to a new issuer.
  if (!secret && !keepsSavedSecret(input.issuerUrl, { hasSavedSecret: true, savedIssuer: current.issuerUrl })) {
    return { fieldErrors: { clientSecret: SECRET_REQUIRED_NEW_ISSUER } };
  }
  // Another IdP starts a new set of members (principals are keyed by the issuer): the admin confirms it first.
  if (input.issuerUrl !== current.issuerUrl && !input.confirmNewIdp) {
    log('new_idp_unconfirmed');
    return { fieldErrors: { confirmNewIdp: NEW_IDP_TEXT.confirmRequired }, formError: NEW_IDP_TEXT.confirmRequired };
  }
  if (!input.skipIssuerCheck) {
    const problem = await issuerProblem(input.issuerUrl, devMode, log);
    if (problem) return problem;
  }
  // Only what differs from the saved connection (the audit trail then names the fields that changed); the
  // write-only secret whenever one was typed. Nothing changed: nothing to send. The redirect URI is not edited
  // here (the form shows it read-only; a connection on the shared one moves with `moveToOwnRedirectUri`).
  const patch = {
    ...changedFields(current, { name: input.name, issuerUrl: input.issuerUrl, clientId: input.clientId, ...provisioningSettings(input) }),
    ...(secret ? { clientSecret: secret } : {}),
  };
  let updated: SsoConnection = current;
  try {
    if (Object.keys(patch).length > 0) updated = await actor.grantex({ requestId }).updateConnection(id, patch);
  } catch (err) {
    logFailure('save_connection', requestId, actor, err, { connection: id });
    if (isGrantexError(err) && err.kind === 'not_found') return { formError: CONNECTION_ERRORS.not_found };
    return rejection(err);
  }
  const newIdp = input.issuerUrl !== current.issuerUrl;
  log('saved', { issuerChecked: !input.skipIssuerCheck, secretReplaced: Boolean(secret), newIdp });
  revalidatePath(SETTINGS_PATH);
  revalidatePath(connectionPath(id));
  return {
    ok: true,
    message: newIdp ? NEW_IDP_TEXT.savedNewIdp : CONNECTION_TEXT.saved,
    values: {
      name: input.name,
      issuerUrl: input.issuerUrl,
      clientId: input.clientId,
      redirectUri: updated.protocol === 'oidc' ? updated.redirectUri : input.redirectUri,
      ...provisioningFormValues(updated),
    },
  };
}

/**
 * Create (no `connectionId` field) or edit one connection. The hidden `hasSavedSecret` field only picks the
 * wording of the secret rule in the schema; whether a blank secret may keep the saved one is decided above
 * from the connection Grantex returns.
 */
export async function saveOidcConnection(prev: FormState<OidcConnectionInput>, formData: FormData): Promise<FormState<OidcConnectionInput>> {
  const devMode = ssoDevMode();
  const id = formData.get(CONNECTION_ID_FIELD);
  const editing = typeof id === 'string' && id !== '';
  const { note } = trimPastedDiscoveryUrl(formData);
  const issuer = formData.get('issuerUrl');
  const schema = buildOidcConnectionSchema({
    devMode,
    hasSavedSecret: editing && formData.get(HAS_SAVED_SECRET_FIELD) === '1',
    // Lets a blank secret through the schema on an edit; updateConnection applies the real rule.
    savedIssuer: editing && typeof issuer === 'string' ? issuer.trim() : undefined,
  });
  const action = connectionsAction(
    schema,
    (input, actor) => (editing ? updateConnection(id, input, actor, devMode) : createConnection(input, actor, devMode, Boolean(note))),
    { neverEcho: ['clientSecret'] },
  );
  const state = await action(prev, formData);
  return note ? { ...state, notes: { ...state.notes, issuerUrl: note } } : state;
}

const statusSchema = z.object({
  [CONNECTION_ID_FIELD]: z.string().min(1),
  status: z.enum(CONNECTION_STATUS_VALUES, { error: 'Choose a status' }),
});

export const setConnectionStatus = connectionsAction(statusSchema, async ({ connectionId, status }, actor) => {
  const requestId = randomUUID();
  try {
    await actor.grantex({ requestId }).updateConnection(connectionId, { status });
  } catch (err) {
    logFailure('set_connection_status', requestId, actor, err, { connection: connectionId });
    if (isGrantexError(err) && err.kind === 'not_found') return { formError: CONNECTION_ERRORS.not_found };
    throw err;
  }
  logSsoEvent('set_connection_status', { requestId, org: actor.developerId, connection: connectionId, outcome: status });
  revalidatePath(SETTINGS_PATH);
  revalidatePath(connectionPath(connectionId));
  return { ok: true, message: CONNECTION_TEXT.statusChanged(CONNECTION_STATUS_TEXT[status].label), values: { connectionId, status } };
});

export const deleteConnection = connectionsAction(z.object({ [CONNECTION_ID_FIELD]: z.string().min(1) }), async ({ connectionId }, actor) => {
  // Deleting stays with the organization's admin: a setup link configures and tests, it does not remove.
  if (actor.kind !== 'api_key') return { formError: CONNECTION_ERRORS.delete_admin_only };
  const requestId = randomUUID();
  try {
    await actor.grantex({ requestId }).deleteConnection(connectionId);
  } catch (err) {
    // Already gone (another tab, another actor): the outcome the admin asked for.
    if (!(isGrantexError(err) && err.kind === 'not_found')) {
      logFailure('delete_connection', requestId, actor, err, { connection: connectionId });
      throw err;
    }
  }
  logSsoEvent('delete_connection', { requestId, org: actor.developerId, connection: connectionId, outcome: 'deleted' });
  revalidatePath(SETTINGS_PATH);
  // The connection's page is gone with it, so the confirmation lives on the list.
  redirect(`${SETTINGS_PATH}?deleted=1`);
});

/**
 * Moves an OIDC connection from the shared `/sso/callback` to its own `/sso/callback/<connection id>` (no secret
 * needed). Authorized inside like every action, for the admin and for a setup-link user alike (moving is part of
 * configuring a connection). The admin adds the new address at the IdP first, as the notice asks.
 */
export const moveToOwnRedirectUri = connectionsAction(z.object({ [CONNECTION_ID_FIELD]: z.string().min(1).max(200) }), async ({ connectionId }, actor) => {
  const requestId = randomUUID();
  const current = await ownConnection(actor, connectionId, requestId);
  if (!isConnection(current)) return { formError: current.formError ?? CONNECTION_ERRORS.not_found };
  const view = redirectUriView(current);
  if (!view || view.kind === 'own') return { formError: CONNECTION_TEXT.moveNotNeeded };
  if (!view.own) return { formError: CONNECTION_TEXT.moveFailed };
  try {
    await actor.grantex({ requestId }).updateConnection(connectionId, { redirectUri: view.own });
  } catch (err) {
    logFailure('move_redirect_uri', requestId, actor, err, { connection: connectionId });
    if (isGrantexError(err) && err.kind === 'not_found') return { formError: CONNECTION_ERRORS.not_found };
    if (isGrantexError(err) && (err.kind === 'validation' || err.kind === 'conflict')) return { formError: CONNECTION_TEXT.moveFailed };
    throw err;
  }
  logSsoEvent('move_redirect_uri', { requestId, org: actor.developerId, connection: connectionId, outcome: 'moved' });
  revalidatePath(SETTINGS_PATH);
  revalidatePath(connectionPath(connectionId));
  redirect(`${connectionPath(connectionId)}?moved=1`);
});
