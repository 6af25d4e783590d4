'use server';
/**
 * The "new connection" page's actions: create an OIDC or a SAML connection, then open its page (where the test
 * sign-in is). Each goes through the save wrappers of ../connection-save.ts (authorized on every call, every field
 * parsed, the secret never echoed).
 *
 * The console's own ACS route is a SAML connection's ACS URL (Grantex would default to its own JSON endpoint): a
 * create sends `spAcsUrl = <console>/sso/callback/saml` and, once the id is known, sets `?connection=<id>` so
 * IdP-initiated responses name their connection (SP-initiated ones work either way).
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { SsoConnection } from '@/lib/contract';
import { CONNECTION_TEXT } from '@/lib/console/messages';
import { callbackKind } from '@/lib/console/member-login/callback-address';
import { newConnectionStatus } from '@/lib/console/settings/new-connection-status';
import { connectionPath, SSO_SETTINGS_PATH } from '@/lib/console/settings/paths';
import { consoleSamlAcsUrl } from '@/lib/console/settings/saml-acs';
import { logSsoEvent } from '@/lib/console/utils/log';
import { env } from '@/lib/env';
import { provisioningSettings } from '@/lib/validations/provisioning';
import { samlIdpFields } from '@/lib/validations/saml-connection';
import {
  issuerProblem,
  logConnectionFailure,
  oidcRejection,
  oidcSaveAction,
  samlRejection,
  samlSaveAction,
} from '../connection-save';

/** `trimmed`: the issuer was a pasted discovery address, trimmed before validation (the connection's page says so). */
export const createOidcConnection = oidcSaveAction(false, async (input, actor, _formData, { devMode, trimmed }) => {
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
    created = await grantex.sso.connections.create({
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
    logConnectionFailure('create_connection', requestId, actor, err);
    return oidcRejection(err);
  }
  log('created', { connection: created.id, issuerChecked: !input.skipIssuerCheck });
  revalidatePath(SSO_SETTINGS_PATH);
  redirect(`${connectionPath(created.id)}?saved=1${trimmed ? '&trimmed=1' : ''}`);
});

export const createSamlConnection = samlSaveAction(false, async (input, actor) => {
  const requestId = randomUUID();
  const grantex = actor.grantex({ requestId });
  let created: SsoConnection;
  try {
    created = await grantex.sso.connections.create({
      name: input.name,
      protocol: 'saml',
      status: await newConnectionStatus(grantex, input.status),
      ...samlIdpFields(input),
      spAcsUrl: consoleSamlAcsUrl(),
      allowIdpInitiated: input.allowIdpInitiated,
      verifiedDomainsOnly: input.verifiedDomainsOnly,
    });
  } catch (err) {
    logConnectionFailure('create_saml_connection', requestId, actor, err);
    return samlRejection(err);
  }
  // Best effort: without it SP-initiated sign-ins still work; only IdP-initiated ones need the connection named.
  const acsNamed = await grantex.sso.connections
    .update(created.id, { spAcsUrl: consoleSamlAcsUrl(created.id) })
    .then(() => true)
    .catch(() => false);
  logSsoEvent('create_saml_connection', {
    requestId,
    org: actor.developerId,
    connection: created.id,
    outcome: 'created',
    acsNamed,
  });
  revalidatePath(SSO_SETTINGS_PATH);
  redirect(`${connectionPath(created.id)}?saved=1`);
});
