'use server';
/**
 * A SAML connection's page's actions: save the SAML connection form, rotate certificates, point the connection at
 * the console's ACS. Each goes through `connectionsAction` (the API-key admin or a setup-link user, authorized on
 * every call), whose typed result is `{ ok, message, fieldErrors, formError, values }`: values are kept after an
 * error, certificates never echoed. Grantex's per-field reasons ("idpMetadataUrl: …; idpCertificate: …") come back
 * next to the fields.
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { connectionsAction, type ConnectionsActor } from '@/lib/auth';
import type { ActionOutcome } from '@/lib/auth/action';
import { SP_KEY_USES, type SsoConnection } from '@/lib/contract';
import { CONNECTION_ERRORS, METADATA_REFRESH_TEXT, NEW_IDP_TEXT, SAML_TEXT } from '@/lib/console/messages';
import { spKeyRejection, type SpKeyOutcome } from '@/lib/console/settings/sp-keys';
import { connectionPath, SSO_SETTINGS_PATH } from '@/lib/console/settings/paths';
import { consoleSamlAcsUrl } from '@/lib/console/settings/saml-acs';
import { logSsoEvent } from '@/lib/console/utils/log';
import { samlCertificateInput, samlIdpFields } from '@/lib/validations/saml-connection';
import { CONNECTION_ID_FIELD } from '@/lib/validations/connection-fields';
import { logConnectionFailure, samlRejection, samlSaveAction, type SamlFormField } from '../connection-save';

/** The SAML connection form on the connection's page (the hidden `connectionId` field names the connection). */
export const updateSamlConnection = samlSaveAction(true, async (input, actor) => {
  const id = input.connectionId;
  if (!id) return { formError: CONNECTION_ERRORS.not_found };
  const requestId = randomUUID();
  const grantex = actor.grantex({ requestId });
  let saved: SsoConnection;
  let previousEntityId: string;
  try {
    const current = await grantex.sso.connections.get(id);
    if (current.protocol !== 'saml') return { formError: SAML_TEXT.samlFormOnly };
    previousEntityId = current.idpEntityId;
    // A typed entity ID that names another IdP starts a new set of members: the admin confirms it first. (New
    // metadata is read by Grantex at the save; the form says beforehand what another entity ID in it means.)
    if (
      input.idpSource === 'fields' &&
      input.idpEntityId !== undefined &&
      input.idpEntityId !== current.idpEntityId &&
      !input.confirmNewIdp
    ) {
      logSsoEvent('save_saml_connection', {
        requestId,
        org: actor.developerId,
        connection: id,
        outcome: 'new_idp_unconfirmed',
      });
      return { fieldErrors: { confirmNewIdp: NEW_IDP_TEXT.confirmRequired }, formError: NEW_IDP_TEXT.confirmRequired };
    }
    saved = await grantex.sso.connections.update(id, {
      name: input.name,
      ...samlIdpFields(input),
      allowIdpInitiated: input.allowIdpInitiated,
      verifiedDomainsOnly: input.verifiedDomainsOnly,
    });
  } catch (err) {
    logConnectionFailure('save_saml_connection', requestId, actor, err, id);
    return samlRejection(err);
  }
  logSsoEvent('save_saml_connection', {
    requestId,
    org: actor.developerId,
    connection: id,
    outcome: 'saved',
    source: input.idpSource,
  });
  revalidatePath(SSO_SETTINGS_PATH);
  revalidatePath(connectionPath(id));
  // A metadata source filled the fields: show the saved values, not what was typed.
  const values =
    saved.protocol === 'saml'
      ? {
          name: saved.name,
          idpSource: 'fields',
          idpEntityId: saved.idpEntityId,
          idpSsoUrl: saved.idpSsoUrl,
          idpMetadataUrl: saved.idpMetadataUrl ?? '',
        }
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
});

/** A PATCH of one SAML setting from a small form on the connection's page; `rename` maps Grantex's field to the form's. */
async function patchSaml(
  event: string,
  connectionId: string,
  actor: ConnectionsActor,
  patch: Parameters<ReturnType<ConnectionsActor['grantex']>['sso']['connections']['update']>[1],
  rename: Partial<Record<SamlFormField, string>>,
  message: string,
  outcome?: 'added' | 'removed',
): Promise<ActionOutcome<Record<string, string>>> {
  const requestId = randomUUID();
  try {
    await actor.grantex({ requestId }).sso.connections.update(connectionId, patch);
  } catch (err) {
    logConnectionFailure(event, requestId, actor, err, connectionId);
    return samlRejection(err, rename);
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
  'addSamlCertificate',
  z.object({ [CONNECTION_ID_FIELD]: connectionIdField, certificate: samlCertificateInput }),
  ({ connectionId, certificate }, actor) =>
    patchSaml(
      'add_saml_certificate',
      connectionId,
      actor,
      { addIdpCertificate: certificate },
      { addIdpCertificate: 'certificate' },
      SAML_TEXT.certificateAdded,
      'added',
    ),
  { neverEcho: ['certificate'] },
);

/** Rotation, step 2: the old certificate removed (Grantex refuses to remove the last one). */
export const removeSamlCertificate = connectionsAction(
  'removeSamlCertificate',
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
export const useConsoleSamlAcs = connectionsAction(
  'useConsoleSamlAcs',
  z.object({ [CONNECTION_ID_FIELD]: connectionIdField }),
  ({ connectionId }, actor) =>
    patchSaml(
      'use_console_saml_acs',
      connectionId,
      actor,
      { spAcsUrl: consoleSamlAcsUrl(connectionId) },
      {},
      SAML_TEXT.acsFixed,
    ),
);

/** "Refresh now": Grantex fetches the IdP metadata from its URL again and applies it as its scheduled refresh does. */
export const refreshSamlMetadata = connectionsAction(
  'refreshSamlMetadata',
  z.object({ [CONNECTION_ID_FIELD]: connectionIdField }),
  async ({ connectionId }, actor): Promise<ActionOutcome<Record<string, string>>> => {
    const requestId = randomUUID();
    let result: string;
    try {
      const grantex = actor.grantex({ requestId });
      const current = await grantex.sso.connections.get(connectionId);
      if (current.protocol !== 'saml' || !current.idpMetadataUrl)
        return { formError: METADATA_REFRESH_TEXT.noMetadataUrl };
      result = (await grantex.sso.connections.refreshMetadata(connectionId)).result;
    } catch (err) {
      logConnectionFailure('refresh_saml_metadata', requestId, actor, err, connectionId);
      return samlRejection(err);
    }
    logSsoEvent('refresh_saml_metadata', {
      requestId,
      org: actor.developerId,
      connection: connectionId,
      outcome: result,
    });
    revalidatePath(connectionPath(connectionId));
    redirect(`${connectionPath(connectionId)}?metadata=${result}#saml-metadata`);
  },
);

// ---------------------------------------------------------------- the connection's own SP keys

async function spKeyChange(
  event: string,
  connectionId: string,
  actor: ConnectionsActor,
  change: (grantex: ReturnType<ConnectionsActor['grantex']>) => Promise<unknown>,
  outcome: SpKeyOutcome,
): Promise<ActionOutcome<Record<string, string>>> {
  const requestId = randomUUID();
  try {
    await change(actor.grantex({ requestId }));
  } catch (err) {
    logConnectionFailure(event, requestId, actor, err, connectionId);
    return spKeyRejection(err);
  }
  logSsoEvent(event, { requestId, org: actor.developerId, connection: connectionId, outcome: 'saved' });
  revalidatePath(connectionPath(connectionId));
  // The button that asked may be gone from the re-rendered section (a promoted or removed key): the page says it.
  redirect(`${connectionPath(connectionId)}?spkey=${outcome}#saml-sp-keys`);
}

const spKeyUse = z.enum(SP_KEY_USES);

/** Turns signed AuthnRequests on (Grantex makes the signing key when there is none) or off. */
export const setSignAuthnRequests = connectionsAction(
  'setSignAuthnRequests',
  z.object({ [CONNECTION_ID_FIELD]: connectionIdField, sign: z.enum(['on', 'off']) }),
  ({ connectionId, sign }, actor) =>
    spKeyChange(
      'set_sign_authn_requests',
      connectionId,
      actor,
      (grantex) => grantex.sso.connections.update(connectionId, { signAuthnRequests: sign === 'on' }),
      sign === 'on' ? 'signOn' : 'signOff',
    ),
);

/** Rotation, step 1: the first key of a use, else a next key published beside the current one. */
export const rotateSpKey = connectionsAction(
  'rotateSpKey',
  z.object({ [CONNECTION_ID_FIELD]: connectionIdField, use: spKeyUse, first: z.enum(['yes', 'no']).optional() }),
  ({ connectionId, use, first }, actor) =>
    spKeyChange(
      'rotate_sp_key',
      connectionId,
      actor,
      (grantex) => grantex.sso.connections.rotateSpKey(connectionId, use),
      first === 'yes' ? 'first' : 'rotated',
    ),
);

/** Rotation, step 2: the next key becomes current. */
export const promoteSpKey = connectionsAction(
  'promoteSpKey',
  z.object({ [CONNECTION_ID_FIELD]: connectionIdField, use: spKeyUse }),
  ({ connectionId, use }, actor) =>
    spKeyChange(
      'promote_sp_key',
      connectionId,
      actor,
      (grantex) => grantex.sso.connections.promoteSpKey(connectionId, use),
      'promoted',
    ),
);

/** Rotation, step 3: the previous key removed (or a next key abandoned). */
export const retireSpKey = connectionsAction(
  'retireSpKey',
  z.object({ [CONNECTION_ID_FIELD]: connectionIdField, keyId: z.string().trim().min(1).max(200) }),
  ({ connectionId, keyId }, actor) =>
    spKeyChange(
      'retire_sp_key',
      connectionId,
      actor,
      (grantex) => grantex.sso.connections.retireSpKey(connectionId, keyId),
      'retired',
    ),
);
