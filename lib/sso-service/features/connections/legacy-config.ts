/**
 * The legacy single config (`POST|GET|DELETE /v1/sso/config`): the org's default OIDC connection, read and written
 * through the legacy wire shape. The same URL, credential, issuer and redirect URI rules as the connections API.
 */
import { MESSAGES, type ssoConfigSaveSchema } from '@/lib/contract';
import type { z } from 'zod';
import type { ServiceContext } from '../../context';
import { randomId } from '../../crypto/random-id';
import { ApiError, notFound } from '../../http/api-error';
import { ISSUER_CHANGED, principalIssuer, type SsoConnection } from '../../storage/types';
import { endConsoleSessionsBeforeLegacySave } from '../console-access/service';
import type { ConnectionService } from './service';

const SAML_DEFAULT_CONFLICT =
  "This organization's default SSO connection is a SAML connection; change it with the connections API (PATCH /v1/sso/connections/:id)";

/** What a legacy save writes (names only, for the audit trail). */
const LEGACY_FIELDS = ['issuerUrl', 'clientId', 'clientSecret', 'redirectUri'] as const;

export async function saveLegacyConfig(
  ctx: ServiceContext,
  connections: Pick<ConnectionService, 'rules'>,
  developerId: string,
  input: z.output<typeof ssoConfigSaveSchema>,
  /** The default connection as the caller just read it (null: none), so the save reads it once. */
  known?: { before: SsoConnection | null },
): Promise<{ saved: SsoConnection; changedFields: readonly string[] }> {
  const { fieldProblems, checkIssuer, registeredRedirectUri } = connections.rules;
  // validate → check → one store call.
  const problems = fieldProblems(input);
  if (problems) throw problems;
  await checkIssuer(input.issuerUrl);
  // Read for the audit entry too: a save that moves the default connection to another issuer starts a new
  // set of members (principals are keyed by the issuer), and the trail says so.
  const before = known ? (known.before ?? undefined) : await ctx.store.getDefaultConnection(developerId);
  // The legacy endpoints have always named connections `conn_…`; the connections API uses `sso_…`.
  const newConnectionId = randomId('conn');
  // The same redirect URI rule as the connections API (the save updates the default connection, if any).
  const redirectUri = await registeredRedirectUri(input.redirectUri, async () => before?.id);
  await endConsoleSessionsBeforeLegacySave(ctx, before ?? null, input);
  const saved = await ctx.store
    .saveDefaultOidcConnection({
      developerId,
      newConnectionId,
      oidc: {
        issuerUrl: input.issuerUrl,
        clientId: input.clientId,
        clientSecretSealed: ctx.secretBox.seal(input.clientSecret, developerId),
        redirectUri,
      },
      now: new Date(ctx.now()).toISOString(),
    })
    .catch(async (err: unknown) => {
      // The upsert leaves a default connection of another protocol untouched (and answers no row): say so.
      if ((await ctx.store.getDefaultConnection(developerId))?.protocol === 'saml')
        throw new ApiError(409, 'CONFLICT', SAML_DEFAULT_CONFLICT);
      throw err;
    });
  // No RP cache flush: client set-ups are keyed by this save's (new) sealed secret, so the change takes effect
  // at the next login, and the issuer's discovery/JWKS, shared with other tenants, stay warm (one org must not
  // be able to force cold fetches on everyone else's logins).
  const issuerChanged = before !== undefined && principalIssuer(before) !== principalIssuer(saved);
  return { saved, changedFields: issuerChanged ? [...LEGACY_FIELDS, ISSUER_CHANGED] : LEGACY_FIELDS };
}

export async function deleteLegacyConfig(ctx: ServiceContext, developerId: string): Promise<SsoConnection> {
  const removed = await ctx.store.deleteDefaultConnection(developerId);
  if (!removed) throw notFound(MESSAGES.configNotFound);
  // Nothing to flush in the RP: without a row no login reaches it, and shared issuer caches stay warm.
  if (removed.protocol === 'oidc') ctx.issuerChecks.invalidate(removed.oidc.issuerUrl);
  return removed;
}
