/**
 * Logout, three ways in:
 * - the member (the console, `POST /sso/sessions/logout`): the session is revoked here first, then the member's
 *   browser is sent to the IdP to end its session too when the IdP offers that (SAML SP-initiated SLO with a
 *   signed LogoutRequest, or the OIDC end_session_endpoint with `id_token_hint`);
 * - the IdP's SAML LogoutRequest at the connection's SLO URL (verified against that connection's certificates);
 * - the IdP's OIDC back-channel logout token at the connection's back-channel URL (verified against its JWKS).
 * An IdP can only ever end sessions of the connection whose URL it reached, and only after its message verified
 * against that connection's keys; every revocation is audited as `session.revoked` with the cause as the actor's
 * label (`member_logout`, `idp_logout`).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  checkSsoUrlIssue,
  POST_LOGOUT_PATH,
  type LogoutCause,
  type SsoSessionLogoutRequest,
  type SsoSessionLogoutResponse,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { ApiError } from '../../http/api-error';
import { describeError } from '../../http/describe-error';
import { asRpFailure } from '../../relying-party-port';
import { certificateInfo } from '../../saml';
import {
  buildLogoutRequestUrl,
  buildLogoutResponseUrl,
  peekLogoutMessage,
  SamlLogoutError,
  verifyLogoutRequest,
  verifyLogoutResponse,
  type LogoutMessageInput,
  type SamlLogoutSettings,
} from '../../saml/logout';
import type { SpSigningKey } from '../../saml';
import type { OidcConnection, SamlConnection, SsoConnection } from '../../storage/types';
import { endConsoleSessionsOf } from '../console-access/service';
import { samlSloUrl } from './wire';

/**
 * The SP key that signs a connection's logout messages: its current SP signing key (features/sp-keys, made when
 * an IdP SLO URL is saved); undefined: none.
 */
export type LogoutSigningKeyOf = (connection: SamlConnection) => Promise<SpSigningKey | undefined>;

const RELAY_AAD = 'grantex-saml-logout-relay';
/** How long the IdP has to answer our LogoutRequest. */
const RELAY_TTL_MS = 10 * 60 * 1000;
const DEFAULT_CLOCK_SKEW_SEC = 60;

const relaySchema = z.object({ dev: z.string(), con: z.string(), rid: z.string(), exp: z.number() });

const newMessageId = () => `_${randomBytes(24).toString('base64url')}`;

function audit(ctx: ServiceContext, developerId: string, sessionId: string, cause: LogoutCause, by: string | null) {
  ctx.audit.record({
    developerId,
    actor: { kind: 'system', id: by, label: cause },
    action: 'session.revoked',
    target: { type: 'session', id: sessionId },
  });
}

export function samlLogoutSettings(ctx: Pick<ServiceContext, 'now'>, connection: SamlConnection): SamlLogoutSettings {
  const now = new Date(ctx.now());
  const s = connection.saml;
  return {
    idpEntityId: s.idpEntityId,
    idpCertificates: s.idpCertificates.filter((pem) => certificateInfo(pem).status(now) !== 'expired'),
    idpSloUrl: s.idpSloUrl ?? null,
    spEntityId: s.spEntityId,
    spSloUrl: samlSloUrl(connection),
    clockSkewSeconds: DEFAULT_CLOCK_SKEW_SEC,
  };
}

/** The post-logout landing page: given, it must be on the console's origin and pass the redirect-URI rules. */
export function postLogoutRedirectUri(ctx: Pick<ServiceContext, 'config'>, given: string | undefined): string {
  const consoleUrl = ctx.config.consoleUrl;
  if (given === undefined) return `${consoleUrl}${POST_LOGOUT_PATH}`;
  const problem = checkSsoUrlIssue(given, 'redirectUri', { devMode: ctx.config.devMode });
  if (problem || new URL(given).origin !== new URL(consoleUrl).origin) {
    throw new ApiError(400, 'BAD_REQUEST', 'postLogoutRedirectUri must be a page of the console');
  }
  return given;
}

// ---------------------------------------------------------------- the member's logout

const notEnded: SsoSessionLogoutResponse = { ended: false, redirectUrl: null, protocol: null };

export async function memberLogout(
  ctx: ServiceContext,
  input: SsoSessionLogoutRequest,
  signingKeyOf: LogoutSigningKeyOf,
): Promise<SsoSessionLogoutResponse> {
  const returnTo = postLogoutRedirectUri(ctx, input.postLogoutRedirectUri);
  const nowIso = new Date(ctx.now()).toISOString();
  const found = await ctx.store.getSessionForLogout(input.developerId, input.sessionId, nowIso);
  // Unknown, ended and another org's ids answer alike (as the re-check does).
  if (!found) return notEnded;
  const { session, keys } = found;
  if (!(await ctx.store.revokeSession(session.developerId, session.id, nowIso))) return notEnded;
  await endConsoleSessionsOf(ctx, session.developerId, [session.id]);
  audit(ctx, session.developerId, session.id, 'member_logout', session.principalId);
  const connection = await ctx.store.getConnection(session.developerId, session.connectionId);
  if (!connection) return { ended: true, redirectUrl: null, protocol: null };
  // The session is over here whatever the IdP does; failing to reach it only means its own session stays.
  try {
    const redirectUrl =
      connection.protocol === 'oidc'
        ? await oidcEndSessionUrl(ctx, connection, keys?.idTokenSealed ?? null, returnTo)
        : await samlLogoutRequestUrl(ctx, connection, keys, await signingKeyOf(connection));
    return { ended: true, redirectUrl, protocol: connection.protocol };
  } catch (err) {
    ctx.logger.log('warn', { msg: 'IdP logout URL not built', err: describeError(err) });
    return { ended: true, redirectUrl: null, protocol: connection.protocol };
  }
}

async function oidcEndSessionUrl(
  ctx: ServiceContext,
  connection: OidcConnection,
  idTokenSealed: string | null,
  postLogoutRedirectUri: string,
): Promise<string | null> {
  let idTokenHint: string | undefined;
  if (idTokenSealed !== null) {
    try {
      idTokenHint = ctx.secretBox.open(idTokenSealed, connection.developerId);
    } catch {
      idTokenHint = undefined;
    }
  }
  const { issuerUrl, clientId, redirectUri } = connection.oidc;
  return ctx.rp.endSessionUrl(
    { issuerUrl, clientId, redirectUri },
    {
      ...(idTokenHint !== undefined ? { idTokenHint } : {}),
      postLogoutRedirectUri,
      // Echoed back on the landing page, which does nothing with it (the session already ended here).
      state: randomBytes(16).toString('base64url'),
    },
  );
}

async function samlLogoutRequestUrl(
  ctx: ServiceContext,
  connection: SamlConnection,
  keys: { samlNameId: string | null; samlNameIdFormat: string | null; idpSessionId: string | null } | null,
  signingKey: SpSigningKey | undefined,
): Promise<string | null> {
  const settings = samlLogoutSettings(ctx, connection);
  // Unsigned LogoutRequests are not sent: an IdP must be able to tell ours from anyone's.
  if (settings.idpSloUrl === null || !keys?.samlNameId || !signingKey) return null;
  const requestId = newMessageId();
  const relay = ctx.secretBox.seal(
    JSON.stringify({ dev: connection.developerId, con: connection.id, rid: requestId, exp: ctx.now() + RELAY_TTL_MS }),
    RELAY_AAD,
  );
  return buildLogoutRequestUrl(settings, {
    requestId,
    nameId: keys.samlNameId,
    nameIdFormat: keys.samlNameIdFormat,
    sessionIndex: keys.idpSessionId,
    relayState: relay,
    signingKey,
  });
}

// ---------------------------------------------------------------- SAML: the IdP at our SLO URL

export type SloOutcome = { kind: 'redirect'; location: string } | { kind: 'done'; revoked: number };

const sloError = (err: SamlLogoutError) => new ApiError(400, 'SSO_ERROR', err.message, undefined);

/** A SAML connection of any org by the id in the SLO URL; anything else is one 404. */
async function samlConnection(ctx: ServiceContext, connectionId: string): Promise<SamlConnection> {
  const found = await ctx.store.getConnectionById(connectionId);
  if (!found || found.protocol !== 'saml') throw new ApiError(404, 'NOT_FOUND', 'Not found');
  return found;
}

export async function handleSlo(
  ctx: ServiceContext,
  connectionId: string,
  input: LogoutMessageInput,
  signingKeyOf: LogoutSigningKeyOf,
): Promise<SloOutcome> {
  const connection = await samlConnection(ctx, connectionId);
  let kind: 'request' | 'response';
  let relayState: string | null;
  try {
    ({ kind, relayState } = peekLogoutMessage(input));
  } catch (err) {
    if (err instanceof SamlLogoutError) throw sloError(err);
    throw err;
  }
  return kind === 'request'
    ? idpLogoutRequest(ctx, connection, input, signingKeyOf)
    : idpLogoutResponse(ctx, connection, input, relayState);
}

async function idpLogoutRequest(
  ctx: ServiceContext,
  connection: SamlConnection,
  input: LogoutMessageInput,
  signingKeyOf: LogoutSigningKeyOf,
): Promise<SloOutcome> {
  const settings = samlLogoutSettings(ctx, connection);
  const nowMs = ctx.now();
  let request;
  try {
    request = await verifyLogoutRequest(settings, input, nowMs);
  } catch (err) {
    if (err instanceof SamlLogoutError) throw sloError(err);
    throw err;
  }
  // Single use per IdP entity id (whichever connection receives it), kept as long as it could pass the age check.
  const keepUntil = request.issueInstant.getTime() + 10 * 60 * 1000 + settings.clockSkewSeconds * 1000;
  const first = await ctx.store.claimLogoutMessage({
    issuer: settings.idpEntityId,
    messageId: request.id,
    developerId: connection.developerId,
    connectionId: connection.id,
    expiresAtMs: keepUntil,
  });
  if (!first) throw sloError(new SamlLogoutError('replayed'));
  const nowIso = new Date(nowMs).toISOString();
  const revoked: string[] = [];
  const indexes = request.sessionIndexes.length > 0 ? request.sessionIndexes : [undefined];
  for (const idpSessionId of indexes) {
    revoked.push(
      ...(await ctx.store.revokeIdpSessions(
        connection.id,
        { samlNameId: request.nameId, ...(idpSessionId !== undefined ? { idpSessionId } : {}) },
        nowIso,
      )),
    );
  }
  await endConsoleSessionsOf(ctx, connection.developerId, revoked);
  for (const id of revoked) audit(ctx, connection.developerId, id, 'idp_logout', connection.id);
  if (settings.idpSloUrl === null) return { kind: 'done', revoked: revoked.length };
  const signingKey = await signingKeyOf(connection);
  const location = await buildLogoutResponseUrl(settings, {
    responseId: newMessageId(),
    inResponseTo: request.id,
    relayState: request.relayState,
    success: true,
    ...(signingKey ? { signingKey } : {}),
  });
  return { kind: 'redirect', location };
}

async function idpLogoutResponse(
  ctx: ServiceContext,
  connection: SamlConnection,
  input: LogoutMessageInput,
  relayState: string | null,
): Promise<SloOutcome> {
  let relay: z.infer<typeof relaySchema> | undefined;
  try {
    relay = relayState === null ? undefined : relaySchema.parse(JSON.parse(ctx.secretBox.open(relayState, RELAY_AAD)));
  } catch {
    relay = undefined;
  }
  // Only a logout this service started for this connection is answered; anything else names nothing of ours.
  if (!relay || relay.con !== connection.id || relay.dev !== connection.developerId || relay.exp <= ctx.now())
    throw sloError(new SamlLogoutError('in_response_to_mismatch'));
  const landing = new URL(`${ctx.config.consoleUrl}${POST_LOGOUT_PATH}`);
  try {
    await verifyLogoutResponse(samlLogoutSettings(ctx, connection), input, relay.rid, ctx.now());
    landing.searchParams.set('slo', 'ok');
  } catch (err) {
    if (!(err instanceof SamlLogoutError)) throw err;
    ctx.logger.log('warn', { msg: 'SAML LogoutResponse refused', reason: err.reason });
    landing.searchParams.set('slo', 'failed');
  }
  return { kind: 'redirect', location: landing.href };
}

// ---------------------------------------------------------------- OIDC: back-channel logout

export async function backchannelLogout(ctx: ServiceContext, connectionId: string, token: string): Promise<number> {
  const found: SsoConnection | undefined = await ctx.store.getConnectionById(connectionId);
  const refused = (message: string) => new ApiError(400, 'BAD_REQUEST', message);
  if (!found || found.protocol !== 'oidc') throw refused('The logout token was refused');
  const { issuerUrl, clientId, redirectUri } = found.oidc;
  let claims;
  try {
    claims = await ctx.rp.verifyLogoutToken({ issuerUrl, clientId, redirectUri }, token);
  } catch (err) {
    const failure = asRpFailure(err);
    if (!failure) throw err;
    // The IdP's keys could not be read: a server-side failure it may retry (Back-Channel Logout §2.8).
    if (failure.status !== 400) throw new ApiError(502, 'SSO_ERROR', failure.message);
    throw refused(failure.message);
  }
  const first = await ctx.store.claimLogoutMessage({
    issuer: issuerUrl,
    messageId: claims.jti,
    developerId: found.developerId,
    connectionId: found.id,
    expiresAtMs: claims.replayableUntilSec * 1000,
  });
  if (!first) throw refused('The logout token was refused: it was already used');
  const revoked = await ctx.store.revokeIdpSessions(
    found.id,
    {
      ...(claims.sub !== undefined ? { subject: claims.sub } : {}),
      ...(claims.sid !== undefined ? { idpSessionId: claims.sid } : {}),
    },
    new Date(ctx.now()).toISOString(),
  );
  await endConsoleSessionsOf(ctx, found.developerId, revoked);
  for (const id of revoked) audit(ctx, found.developerId, id, 'idp_logout', found.id);
  return revoked.length;
}
