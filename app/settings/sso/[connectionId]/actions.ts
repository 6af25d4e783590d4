'use server';
/**
 * A connection's page's actions: save the OIDC connection form, set the status, delete, move to the connection's
 * own redirect URI (the SAML form's and the certificates' are in ./saml-actions.ts, the domains' in
 * ./domain-actions.ts). Each authorizes inside (`connectionsAction`, every time, not only in the proxy) and parses
 * every field; the handlers add the issuer check, the Grantex call, one log line and revalidation. Another
 * organization's connection id is a not_found from Grantex, like an unknown one.
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { connectionsAction } from '@/lib/auth';
import { isGrantexError } from '@/lib/grantex/errors';
import type { SsoConnection } from '@/lib/contract';
import {
  CONNECTION_ID_FIELD,
  CONNECTION_STATUS_VALUES,
  keepsSavedSecret,
  SECRET_REQUIRED_NEW_ISSUER,
} from '@/lib/validations/oidc-connection';
import { provisioningSettings } from '@/lib/validations/provisioning';
import { provisioningFormValues } from '@/lib/console/settings/provisioning-view';
import { redirectUriView } from '@/lib/console/settings/redirect-uri';
import { connectionPath, SSO_SETTINGS_PATH } from '@/lib/console/settings/paths';
import { logSsoEvent } from '@/lib/console/utils/log';
import {
  CONNECTION_ERRORS,
  CONNECTION_STATUS_TEXT,
  CONNECTION_TEXT,
  NEW_IDP_TEXT,
  SAML_TEXT,
} from '@/lib/console/messages';
import {
  isConnection,
  issuerProblem,
  logConnectionFailure,
  oidcRejection,
  oidcSaveAction,
  ownConnection,
} from '../connection-save';

/** The entries of `next` whose value differs from the connection's (a missing group claim counts as null). */
function changedFields<T extends Partial<Record<keyof SsoConnection, unknown>>>(
  current: SsoConnection,
  next: T,
): Partial<T> {
  // A Grantex without `verifiedDomainsOnly` has it off.
  const saved: Record<string, unknown> = {
    ...current,
    groupAttribute: current.groupAttribute ?? null,
    verifiedDomainsOnly: current.verifiedDomainsOnly ?? false,
  };
  return Object.fromEntries(
    Object.entries(next).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(saved[key])),
  ) as Partial<T>;
}

/** The OIDC connection form on the connection's page (the hidden `connectionId` field names the connection). */
export const updateOidcConnection = oidcSaveAction(true, async (input, actor, formData, { devMode }) => {
  const id = formData.get(CONNECTION_ID_FIELD);
  if (typeof id !== 'string' || id === '') return { formError: CONNECTION_ERRORS.not_found };
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
    ...changedFields(current, {
      name: input.name,
      issuerUrl: input.issuerUrl,
      clientId: input.clientId,
      ...provisioningSettings(input),
    }),
    ...(secret ? { clientSecret: secret } : {}),
  };
  let updated: SsoConnection = current;
  try {
    if (Object.keys(patch).length > 0) updated = await actor.grantex({ requestId }).sso.connections.update(id, patch);
  } catch (err) {
    logConnectionFailure('save_connection', requestId, actor, err, id);
    if (isGrantexError(err) && err.kind === 'not_found') return { formError: CONNECTION_ERRORS.not_found };
    return oidcRejection(err);
  }
  const newIdp = input.issuerUrl !== current.issuerUrl;
  log('saved', { issuerChecked: !input.skipIssuerCheck, secretReplaced: Boolean(secret), newIdp });
  revalidatePath(SSO_SETTINGS_PATH);
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
});

const statusSchema = z.object({
  [CONNECTION_ID_FIELD]: z.string().min(1),
  status: z.enum(CONNECTION_STATUS_VALUES, { error: 'Choose a status' }),
});

export const setConnectionStatus = connectionsAction(
  'setConnectionStatus',
  statusSchema,
  async ({ connectionId, status }, actor) => {
    const requestId = randomUUID();
    try {
      await actor.grantex({ requestId }).sso.connections.update(connectionId, { status });
    } catch (err) {
      logConnectionFailure('set_connection_status', requestId, actor, err, connectionId);
      if (isGrantexError(err) && err.kind === 'not_found') return { formError: CONNECTION_ERRORS.not_found };
      throw err;
    }
    logSsoEvent('set_connection_status', {
      requestId,
      org: actor.developerId,
      connection: connectionId,
      outcome: status,
    });
    revalidatePath(SSO_SETTINGS_PATH);
    revalidatePath(connectionPath(connectionId));
    return {
      ok: true,
      message: CONNECTION_TEXT.statusChanged(CONNECTION_STATUS_TEXT[status].label),
      values: { connectionId, status },
    };
  },
);

export const deleteConnection = connectionsAction(
  'deleteConnection',
  z.object({ [CONNECTION_ID_FIELD]: z.string().min(1) }),
  async ({ connectionId }, actor) => {
    const requestId = randomUUID();
    try {
      await actor.grantex({ requestId }).sso.connections.delete(connectionId);
    } catch (err) {
      // Already gone (another tab, another actor): the outcome the admin asked for.
      if (!(isGrantexError(err) && err.kind === 'not_found')) {
        logConnectionFailure('delete_connection', requestId, actor, err, connectionId);
        throw err;
      }
    }
    logSsoEvent('delete_connection', {
      requestId,
      org: actor.developerId,
      connection: connectionId,
      outcome: 'deleted',
    });
    revalidatePath(SSO_SETTINGS_PATH);
    // The connection's page is gone with it, so the confirmation lives on the list.
    redirect(`${SSO_SETTINGS_PATH}?deleted=1`);
  },
);

/**
 * Moves an OIDC connection from the shared `/sso/callback` to its own `/sso/callback/<connection id>` (no secret
 * needed). Authorized inside like every action, for the admin and for a setup-link user alike (moving is part of
 * configuring a connection). The admin adds the new address at the IdP first, as the notice asks.
 */
export const moveToOwnRedirectUri = connectionsAction(
  'moveToOwnRedirectUri',
  z.object({ [CONNECTION_ID_FIELD]: z.string().min(1).max(200) }),
  async ({ connectionId }, actor) => {
    const requestId = randomUUID();
    const current = await ownConnection(actor, connectionId, requestId);
    if (!isConnection(current)) return current;
    const view = redirectUriView(current);
    if (!view || view.kind === 'own') return { formError: CONNECTION_TEXT.moveNotNeeded };
    if (!view.own) return { formError: CONNECTION_TEXT.moveFailed };
    try {
      await actor.grantex({ requestId }).sso.connections.update(connectionId, { redirectUri: view.own });
    } catch (err) {
      logConnectionFailure('move_redirect_uri', requestId, actor, err, connectionId);
      if (isGrantexError(err) && err.kind === 'not_found') return { formError: CONNECTION_ERRORS.not_found };
      if (isGrantexError(err) && (err.kind === 'validation' || err.kind === 'conflict'))
        return { formError: CONNECTION_TEXT.moveFailed };
      throw err;
    }
    logSsoEvent('move_redirect_uri', { requestId, org: actor.developerId, connection: connectionId, outcome: 'moved' });
    revalidatePath(SSO_SETTINGS_PATH);
    revalidatePath(connectionPath(connectionId));
    redirect(`${connectionPath(connectionId)}?moved=1`);
  },
);
