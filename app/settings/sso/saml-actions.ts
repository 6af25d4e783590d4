'use server';
/**
 * Mutations of SAML connections (create, edit, certificate rotation, the ACS URL). Each goes through
 * `connectionsAction` (the API-key admin or a setup-link user, authorized on every call), whose typed result is
 * `{ ok, message, fieldErrors, formError, values }`: values are kept after an error, certificates never echoed.
 * Grantex's per-field reasons ("idpMetadataUrl: …; idpCertificate: …") come back next to the fields.
 *
 * The console's own ACS route is the connection's ACS URL (Grantex would default to its own JSON endpoint): a
 * create sends `spAcsUrl = <console>/sso/callback/saml` and, once the id is known, sets `?connection=<id>` so
 * IdP-initiated responses name their connection (SP-initiated ones work either way).
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { connectionsAction, type ConnectionsActor } from '@/lib/auth';
import type { ActionOutcome } from '@/lib/auth/action';
import type { FormState } from '@/lib/auth/form-state';
import { isGrantexError } from '@/lib/grantex/errors';
import { fieldReasonsOf } from '@/lib/grantex/field-errors';
import type { SsoConnection } from '@/lib/contract';
import { CONNECTION_ERRORS, NEW_IDP_TEXT, SAML_TEXT } from '@/lib/console/messages';
import { consoleSamlAcsUrl } from '@/lib/console/settings/saml-acs';
import { logSsoEvent } from '@/lib/console/utils/log';
import { ssoDevMode } from '@/lib/console/utils/sso-mode';
import { newConnectionStatus } from '@/lib/console/settings/new-connection-status';
import {
  buildSamlConnectionSchema,
  samlCertificateInput,
  samlIdpFields,
  type SamlConnectionInput,
  type SamlConnectionValues,
} from '@/lib/validations/saml-connection';
import { CONNECTION_ID_FIELD } from '@/lib/validations/connection-fields';

const SETTINGS_PATH = '/settings/sso';
const connectionPath = (id: string) => `${SETTINGS_PATH}/${encodeURIComponent(id)}`;

/** Fields Grantex may name in a rejection, shown next to the form's own fields. */
const SAML_FORM_FIELDS = ['name', 'idpMetadataUrl', 'idpMetadataXml', 'idpEntityId', 'idpSsoUrl', 'idpCertificate', 'addIdpCertificate', 'removeIdpCertificateFingerprint'] as const;

type Outcome<V> = ActionOutcome<V>;

/** A Grantex rejection as field errors (when every reason names a field) or one form-level sentence. */
function rejection<V>(err: unknown, rename: Partial<Record<(typeof SAML_FORM_FIELDS)[number], string>> = {}): Outcome<V> {
  if (isGrantexError(err) && err.kind === 'not_found') return { formError: CONNECTION_ERRORS.not_found };
  if (isGrantexError(err) && err.kind === 'validation') {
    const reasons = fieldReasonsOf(err, SAML_FORM_FIELDS);
    if (reasons) {
      const fieldErrors = Object.fromEntries(Object.entries(reasons).map(([f, why]) => [rename[f as keyof typeof rename] ?? f, capitalize(String(why))]));
      return { fieldErrors: fieldErrors as Outcome<V>['fieldErrors'], formError: SAML_TEXT.rejected };
    }
    return { formError: err.message };
  }
  throw err;
}

const capitalize = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

function logFailure(event: string, requestId: string, actor: ConnectionsActor, err: unknown, connection?: string): void {
  logSsoEvent(event, {
    requestId,
    org: actor.developerId,
    ...(connection ? { connection } : {}),
    outcome: isGrantexError(err) ? err.kind : 'unexpected',
    grantexRequestId: isGrantexError(err) ? err.requestId : null,
  });
}

async function createSamlConnection(input: SamlConnectionValues, actor: ConnectionsActor): Promise<Outcome<SamlConnectionInput>> {
  const requestId = randomUUID();
  const grantex = actor.grantex({ requestId });
  let created: SsoConnection;
  try {
    created = await grantex.createConnection({
      name: input.name,
      protocol: 'saml',
      status: await newConnectionStatus(grantex, input.status),
      ...samlIdpFields(input),
      spAcsUrl: consoleSamlAcsUrl(),
      allowIdpInitiated: input.allowIdpInitiated,
      verifiedDomainsOnly: input.verifiedDomainsOnly,
    });
  } catch (err) {
    logFailure('create_saml_connection', requestId, actor, err);
    return rejection(err);
  }
  // Best effort: without it SP-initiated sign-ins still work; only IdP-initiated ones need the connection named.
  const acsNamed = await grantex
    .updateConnection(created.id, { spAcsUrl: consoleSamlAcsUrl(created.id) })
    .then(() => true)
    .catch(() => false);
  logSsoEvent('create_saml_connection', { requestId, org: actor.developerId, connection: created.id, outcome: 'created', acsNamed });
  revalidatePath(SETTINGS_PATH);
  redirect(`${connectionPath(created.id)}?saved=1`);
}

async function updateSamlConnection(id: string, input: SamlConnectionValues, actor: ConnectionsActor): Promise<Outcome<SamlConnectionInput>> {
  const requestId = randomUUID();
  const grantex = actor.grantex({ requestId });
  let saved: SsoConnection;
  let previousEntityId: string;
  try {
    const current = await grantex.getConnection(id);
    if (current.protocol !== 'saml') return { formError: SAML_TEXT.samlFormOnly };
    previousEntityId = current.idpEntityId;
    // A typed entity ID that names another IdP starts a new set of members: the admin confirms it first. (New
    // metadata is read by Grantex at the save; the form says beforehand what another entity ID in it means.)
    if (input.idpSource === 'fields' && input.idpEntityId !== undefined && input.idpEntityId !== current.idpEntityId && !input.confirmNewIdp) {
      logSsoEvent('save_saml_connection', { requestId, org: actor.developerId, connection: id, outcome: 'new_idp_unconfirmed' });
      return { fieldErrors: { confirmNewIdp: NEW_IDP_TEXT.confirmRequired }, formError: NEW_IDP_TEXT.confirmRequired };
    }
    saved = await grantex.updateConnection(id, {
      name: input.name,
      ...samlIdpFields(input),
      allowIdpInitiated: input.allowIdpInitiated,
      verifiedDomainsOnly: input.verifiedDomainsOnly,
    });
  } catch (err) {
    logFailure('save_saml_connection', requestId, actor, err, id);
    return rejection(err);
  }
  logSsoEvent('save_saml_connection', { requestId, org: actor.developerId, connection: id, outcome: 'saved', source: input.idpSource });
  revalidatePath(SETTINGS_PATH);
  revalidatePath(connectionPath(id));
  // A metadata source filled the fields: show the saved values, not what was typed.
  const values =
    saved.protocol === 'saml'
      ? { name: saved.name, idpSource: 'fields', idpEntityId: saved.idpEntityId, idpSsoUrl: saved.idpSsoUrl, idpMetadataUrl: saved.idpMetadataUrl ?? '' }
      : { name: saved.name };
  const newIdp = saved.protocol === 'saml' && saved.idpEntityId !== previousEntityId;
  return {
    ok: true,
    message: newIdp ? NEW_IDP_TEXT.savedNewIdp : SAML_TEXT.saved,
    values: {
      ...values,
      ...(input.allowIdpInitiated ? { allowIdpInitiated: 'on' } : {}),
      ...(saved.verifiedDomainsOnly ? { verifiedDomainsOnly: 'on' } : {}),
    },
  };
}

/** Create (no `connectionId`) or edit a SAML connection. */
export async function saveSamlConnection(prev: FormState<SamlConnectionInput>, formData: FormData): Promise<FormState<SamlConnectionInput>> {
  const id = formData.get(CONNECTION_ID_FIELD);
  const editing = typeof id === 'string' && id !== '';
  const schema = buildSamlConnectionSchema({ devMode: ssoDevMode(), editing });
  const action = connectionsAction(
    schema,
    (input, actor) => (editing ? updateSamlConnection(id, input, actor) : createSamlConnection(input, actor)),
    { neverEcho: ['idpCertificate'] },
  );
  return action(prev, formData);
}

/** A PATCH of one SAML setting from a small form on the connection's page; `fieldName` is the form's field. */
async function patchSaml(
  event: string,
  connectionId: string,
  actor: ConnectionsActor,
  patch: Parameters<ReturnType<ConnectionsActor['grantex']>['updateConnection']>[1],
  rename: Partial<Record<(typeof SAML_FORM_FIELDS)[number], string>>,
  message: string,
  outcome?: 'added' | 'removed',
): Promise<Outcome<Record<string, string>>> {
  const requestId = randomUUID();
  try {
    await actor.grantex({ requestId }).updateConnection(connectionId, patch);
  } catch (err) {
    logFailure(event, requestId, actor, err, connectionId);
    return rejection(err, rename);
  }
  logSsoEvent(event, { requestId, org: actor.developerId, connection: connectionId, outcome: 'saved' });
  revalidatePath(connectionPath(connectionId));
  // The form that asked may be gone from the re-rendered page (e.g. "Add" once there are two): the page says it.
  if (outcome) redirect(`${connectionPath(connectionId)}?certificate=${outcome}#saml-certificates`);
  return { ok: true, message, values: {} };
}

const connectionIdField = z.string().min(1).max(200);

/** Rotation, step 1: a second certificate; both verify until the old one is removed. */
export const addSamlCertificate = connectionsAction(
  z.object({ [CONNECTION_ID_FIELD]: connectionIdField, certificate: samlCertificateInput }),
  ({ connectionId, certificate }, actor) =>
    patchSaml('add_saml_certificate', connectionId, actor, { addIdpCertificate: certificate }, { addIdpCertificate: 'certificate' }, SAML_TEXT.certificateAdded, 'added'),
  { neverEcho: ['certificate'] },
);

/** Rotation, step 2: the old certificate removed (Grantex refuses to remove the last one). */
export const removeSamlCertificate = connectionsAction(
  z.object({ [CONNECTION_ID_FIELD]: connectionIdField, fingerprint: z.string().trim().min(1).max(200) }),
  ({ connectionId, fingerprint }, actor) =>
    patchSaml(
      'remove_saml_certificate',
      connectionId,
      actor,
      { removeIdpCertificateFingerprint: fingerprint },
      { removeIdpCertificateFingerprint: 'fingerprint' },
      SAML_TEXT.certificateRemoved,
      'removed',
    ),
);

/** Points a connection made elsewhere (e.g. through the API) at this console's ACS route. */
export const useConsoleSamlAcs = connectionsAction(z.object({ [CONNECTION_ID_FIELD]: connectionIdField }), ({ connectionId }, actor) =>
  patchSaml('use_console_saml_acs', connectionId, actor, { spAcsUrl: consoleSamlAcsUrl(connectionId) }, {}, SAML_TEXT.acsFixed),
);
