/**
 * The two callbacks, one completion (`completeCallback`): open the sealed state, claim it before the IdP is
 * asked (single use, across processes), finish the login on the connection it started on, and record a
 * failure so a retry repeats it.
 * - `GET /sso/callback` (legacy contract, unchanged): the identity only; it opens no session. Test sign-ins
 *   (`tst` states) finish here, on a connection of any status.
 * - `POST /sso/callback/oidc` (JSON or form-encoded): a member sign-in; the principal is upserted (JIT) and a
 *   session opened in one store call. A test state is refused before it is claimed (it can still finish at GET).
 * - `POST /sso/callback/saml` (form-encoded as an IdP posts it, or JSON: SAMLResponse, RelayState): the SAML ACS.
 *   RelayState = our sealed state → the same completion (member: session; test: the identity, `test: true`);
 *   anything else is unsolicited (IdP-initiated), accepted only where the connection allows it.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import {
  LIMITS,
  MESSAGES,
  SESSION_MESSAGES,
  ssoOidcCallbackRequestSchema,
  ssoSamlCallbackRequestSchema,
  type SsoSamlTestCallbackResponse,
  type ErrorCode,
  type SsoCallbackResponse,
  type SsoSessionCallbackResponse,
} from '@/lib/contract';
import type { ServiceContext } from '../context';
import { STATE_MAX_LENGTH, type LoginState } from '../crypto/login-state';
import { randomId } from '../crypto/random-id';
import { ApiError, badRequest } from '../http/api-error';
import { describeError } from '../http/describe-error';
import { startSignIn } from '../events/sign-in-context';
import { mapScopes } from '../provisioning';
import { settleEmailTrust } from '../email-trust';
import { SAML_REASONS } from '../saml';
import type { ProtocolResponse, SsoIdentity } from '../protocols';
import { principalIssuer, redirectUriMismatch, type SsoConnection } from '../storage/types';
import { callbackBodyRateKey, type RouteRateLimit } from './rate-limit-options';
import { answerWith, fieldOf, stringFields } from './schemas';

/** Session lifetime when the configuration does not say (8 hours). */
export const DEFAULT_SESSION_TTL_SEC = 8 * 60 * 60;

interface CallbackQuery {
  code: string;
  state: string;
  iss?: string;
  redirect_uri?: string;
}

const querystring = stringFields(
  { code: { maxLength: 4096 }, state: { maxLength: STATE_MAX_LENGTH }, iss: { maxLength: 2048 }, redirect_uri: { maxLength: LIMITS.urlMax } },
  ['code', 'state'],
);

/** Missing or empty code/state, an oversized or repeated one, or an iss or redirect_uri that is not one short URL. */
function callbackQueryMessage(error: Parameters<Parameters<typeof answerWith>[0]>[0]): string {
  if (fieldOf(error) === 'iss') return 'iss must be a single URL';
  if (fieldOf(error) === 'redirect_uri') return 'redirect_uri must be a single URL';
  if (error.keyword === 'required' || error.keyword === 'minLength') return MESSAGES.codeAndStateRequired;
  return MESSAGES.invalidState;
}

const expiredOrUsed = () => badRequest(MESSAGES.stateExpiredOrUsed);
/** A member sign-in on a connection that is not active (checked again at the callback: it may have changed). */
const ssoRefused = (message: string, reason: 'connection_testing' | 'member_not_provisioned') => new ApiError(403, 'SSO_ERROR', message, reason);

interface CallbackInput {
  token: string;
  /** What the IdP sent back (its protocol must be the connection's). */
  response: ProtocolResponse;
}

interface Completed {
  state: LoginState;
  connection: SsoConnection;
  identity: SsoIdentity;
}

/**
 * Opens the state and checks its expiry (no write); an unreadable state is a 400. Names the attempt's org and
 * connection for the sign-in log as soon as they are known.
 */
function openState(ctx: ServiceContext, request: FastifyRequest, token: string): LoginState {
  const state = ctx.states.open(token);
  if (!state) throw badRequest(MESSAGES.invalidState);
  startSignIn(request, {
    developerId: state.dev,
    connectionId: state.con ?? null,
    stateExpiresAtMs: state.exp * 1000,
    startedBy: state.tst ? 'test' : 'member',
  });
  if (state.exp * 1000 <= ctx.now()) throw expiredOrUsed();
  return state;
}

/**
 * The connection the login started on (a state without a connection id, sealed before connections, finishes on
 * the org's default one). A test sign-in finishes on any status; a member sign-in needs `active` (`inactive`
 * reads as not configured, as it always has; `testing` says why).
 */
async function connectionFor(ctx: ServiceContext, state: LoginState, preloaded?: SsoConnection): Promise<SsoConnection> {
  const connection =
    preloaded ??
    (state.con === undefined ? await ctx.store.getDefaultConnection(state.dev) : await ctx.store.getConnection(state.dev, state.con));
  if (!connection) throw new ApiError(404, 'NOT_FOUND', MESSAGES.ssoNotConfigured, 'connection_not_found');
  if (state.tst) return connection;
  if (connection.status === 'inactive') throw new ApiError(404, 'NOT_FOUND', MESSAGES.ssoNotConfigured, 'connection_inactive');
  if (connection.status === 'testing') throw ssoRefused(SESSION_MESSAGES.connectionTesting, 'connection_testing');
  return connection;
}

/**
 * The IdP mix-up defence: a response that arrived at a redirect URI (`redirect_uri`, the URL the console's
 * callback route was reached at) other than the one registered on the connection its state names is refused,
 * before the state is claimed and before any IdP is asked. With per-connection redirect URIs, an authorization
 * response from org A's IdP lands on org A's URI; a state for another connection (say, an attacker's, whose IdP
 * would receive org A's code) therefore never matches it. Absent: the caller hosts one callback for its own
 * connections (API users; the weaker mode, docs/RP-SECURITY.md); the console always sends it.
 * Returns the connection it read, so the completion does not read it again.
 */
async function refuseForeignRedirectUri(ctx: ServiceContext, state: LoginState, redirectUri: string | undefined): Promise<SsoConnection | undefined> {
  if (redirectUri === undefined || redirectUri === '') return undefined;
  const connection = state.con === undefined ? await ctx.store.getDefaultConnection(state.dev) : await ctx.store.getConnection(state.dev, state.con);
  // An unknown connection is the completion's error to give (after the claim, as before).
  if (connection && redirectUriMismatch(connection, redirectUri)) {
    throw new ApiError(400, 'SSO_ERROR', SESSION_MESSAGES.redirectUriMismatch, 'redirect_uri_mismatch');
  }
  return connection;
}

/**
 * The shared completion. `finish` runs after the IdP vouched for the member (still inside the failure
 * recording, so its refusals are replayed to a retry too). `preloaded`: the state's connection, when the caller
 * already read it (refuseForeignRedirectUri).
 */
async function completeCallback<T>(
  ctx: ServiceContext,
  request: FastifyRequest,
  input: CallbackInput,
  state: LoginState,
  finish: (done: Completed) => Promise<T>,
  preloaded?: SsoConnection,
): Promise<T> {
  // Claim the state before anything talks to the IdP: a replay can never redeem a code twice, whichever
  // process it reaches (the claim is a row in the shared database).
  if (!(await ctx.store.claimState(state.sid, state.dev, state.exp * 1000))) {
    // A retried failure repeats the real error instead of hiding it behind "already used".
    const previous = await ctx.store.getStateFailure(state.sid);
    if (previous) throw new ApiError(previous.status, previous.code as ErrorCode, previous.message, 'state_replayed');
    throw expiredOrUsed();
  }

  try {
    const signIn = startSignIn(request, {});
    const connection = await connectionFor(ctx, state, preloaded);
    signIn.connectionId = connection.id;
    signIn.protocol = connection.protocol;
    if (connection.protocol !== input.response.protocol) throw badRequest(protocolMismatch(connection.protocol));
    const vouched = await ctx.protocols[connection.protocol].completeLogin(connection, { token: input.token, state }, input.response);
    signIn.identity = vouched;
    const identity = await settleEmailTrust(ctx.store, connection, vouched);
    signIn.identity = identity;
    return await finish({ state, connection, identity });
  } catch (err) {
    const failure = err instanceof ApiError ? err : new ApiError(500, 'INTERNAL_ERROR', MESSAGES.internal);
    // The caller gets the real failure even if recording it fails (a retry then says "expired or used").
    await ctx.store
      .recordStateFailure(state.sid, { status: failure.statusCode, code: failure.code, message: failure.message })
      .catch((recordErr: unknown) =>
        ctx.logger.log('error', { reqId: request.id, msg: 'recording a failed callback failed', err: describeError(recordErr) }),
      );
    throw err;
  }
}

const oidcResponse = (code: string, iss: string | undefined): ProtocolResponse => ({ protocol: 'oidc', code, ...(iss !== undefined ? { iss } : {}) });

/** A callback of one protocol with the state of another protocol's connection. */
const protocolMismatch = (protocol: SsoConnection['protocol']) =>
  `This sign-in started on ${protocol === 'saml' ? 'a SAML' : 'an OIDC'} connection; it finishes at ${protocol === 'saml' ? 'POST /sso/callback/saml' : 'the OIDC callback'}`;

/** The member's principal upserted (or, without JIT, updated) and their session opened: one store call. */
async function openSession(ctx: ServiceContext, { connection, identity }: Pick<Completed, 'connection' | 'identity'>): Promise<SsoSessionCallbackResponse> {
  const now = ctx.now();
  const ttlSec = ctx.config.sessionTtlSec ?? DEFAULT_SESSION_TTL_SEC;
  const session = await ctx.store.signInMember({
    developerId: connection.developerId,
    connectionId: connection.id,
    newPrincipalId: randomId('prn'),
    sessionId: randomId('ssn'),
    idpIssuer: principalIssuer(connection),
    idpSubject: identity.sub,
    email: identity.email,
    emailVerified: identity.emailVerified,
    name: identity.name,
    groups: identity.groups,
    mappedScopes: mapScopes(connection.provisioning, identity.groups),
    jit: connection.provisioning.jitProvisioning,
    now: new Date(now).toISOString(),
    expiresAt: new Date(now + ttlSec * 1000).toISOString(),
  });
  if (!session) throw ssoRefused(SESSION_MESSAGES.memberNotProvisioned, 'member_not_provisioned');
  return {
    sessionId: session.id,
    email: session.email,
    emailVerified: session.emailVerified,
    name: session.name,
    sub: session.idpSubject,
    groups: session.groups,
    mappedScopes: session.mappedScopes,
    principalId: session.principalId,
    developerId: session.developerId,
    expiresAt: session.expiresAt,
  };
}

/** `application/x-www-form-urlencoded` for this route: each field once (a repeated one stays an array and fails). */
function parseForm(text: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const seen = fields[key];
    fields[key] = seen === undefined ? value : ([] as string[]).concat(seen, value);
  }
  return fields;
}

function callbackBody(body: unknown) {
  const parsed = ssoOidcCallbackRequestSchema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const fields = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')));
  if (fields.has('iss')) throw badRequest('iss must be a single URL');
  if (fields.has('redirect_uri')) throw badRequest('redirect_uri must be a single URL');
  const missing = parsed.error.issues.some((i) => i.code === 'invalid_type' || i.code === 'too_small');
  throw badRequest(missing && !fields.has('') ? MESSAGES.codeAndStateRequired : MESSAGES.invalidState);
}

export function registerSsoCallbackRoute(app: FastifyInstance, ctx: ServiceContext, rateLimit: RouteRateLimit) {
  app.get<{ Querystring: CallbackQuery }>(
    '/sso/callback',
    { config: { rateLimit }, schema: { querystring }, schemaErrorFormatter: answerWith(callbackQueryMessage) },
    async (request) => {
      const { code, state: token, iss, redirect_uri: redirectUri } = request.query;
      const state = openState(ctx, request, token);
      const preloaded = await refuseForeignRedirectUri(ctx, state, redirectUri);
      return completeCallback(ctx, request, { token, response: oidcResponse(code, iss) }, state, async ({ connection, identity }) => {
        // No second write on success: a claimed state without a recorded failure answers "expired or used".
        const body: SsoCallbackResponse = {
          developerId: connection.developerId,
          email: identity.email ?? null,
          emailVerified: identity.emailVerified,
          name: identity.name ?? null,
          sub: identity.sub,
        };
        return body;
      }, preloaded);
    },
  );

  // The body carries the state, so its rate-limit bucket is keyed once the body is parsed.
  const postRateLimit = rateLimit === false ? false : { ...rateLimit, hook: 'preHandler' as const, keyGenerator: callbackBodyRateKey(ctx.states) };
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, parseForm(typeof body === 'string' ? body : body.toString('utf8')));
    });
    scope.post('/sso/callback/oidc', { config: { rateLimit: postRateLimit } }, async (request) => {
      const { code, state: token, iss, redirect_uri: redirectUri } = callbackBody(request.body);
      const state = openState(ctx, request, token);
      // Refused before the claim: the test sign-in can still finish where it belongs.
      if (state.tst) throw badRequest(SESSION_MESSAGES.testStateAtSessionCallback);
      const preloaded = await refuseForeignRedirectUri(ctx, state, redirectUri);
      return completeCallback(ctx, request, { token, response: oidcResponse(code, iss) }, state, (done) => openSession(ctx, done), preloaded);
    });

    // The SAML ACS: a member sign-in (session), a test sign-in (identity only) or, where allowed, an IdP-initiated one.
    const samlRateLimit = rateLimit === false ? false : { ...postRateLimit, keyGenerator: callbackBodyRateKey(ctx.states, 'RelayState') };
    scope.register(async (saml) => {
      // The one refusal that happens before the handler: say it in the SAML words (the core's own cap is lower).
      saml.setErrorHandler((err: FastifyError) => {
        if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw new ApiError(413, 'SSO_ERROR', SAML_REASONS.response_too_large, 'saml_response_too_large');
        throw err;
      });
      saml.post<{ Querystring: { connection?: unknown } }>(
        '/sso/callback/saml',
        { bodyLimit: SAML_BODY_LIMIT_BYTES, config: { rateLimit: samlRateLimit } },
        async (request) => {
          const { SAMLResponse: samlResponse, RelayState: relayState } = samlCallbackBody(request.body);
          const hint = typeof request.query.connection === 'string' ? request.query.connection : undefined;
          // RelayState is never used as a URL: it is either our sealed state, or ignored (IdP-initiated).
          const opened = relayState !== undefined && relayState.length <= STATE_MAX_LENGTH ? ctx.states.open(relayState) : null;
          if (!opened || relayState === undefined) return completeIdpInitiated(ctx, request, hint, samlResponse);
          const state = openState(ctx, request, relayState);
          startSignIn(request, { protocol: 'saml' });
          if (hint !== undefined && state.con !== undefined && hint !== state.con) throw badRequest(SAML_MESSAGES.otherConnection);
          const response: ProtocolResponse = { protocol: 'saml', samlResponse };
          return completeCallback<SsoSessionCallbackResponse | SsoSamlTestCallbackResponse>(ctx, request, { token: relayState, response }, state, (done) =>
            state.tst ? Promise.resolve(testSignInResult(done)) : openSession(ctx, done),
          );
        },
      );
    });
  });
}

/** Largest POST /sso/callback/saml body; the SAML core caps the SAMLResponse itself lower (DEFAULT_MAX_RESPONSE_BASE64). */
export const SAML_BODY_LIMIT_BYTES = 512 * 1024;

const SAML_MESSAGES = {
  responseRequired: 'SAMLResponse is required: post the form the identity provider sent (SAMLResponse and RelayState)',
  otherConnection: "This SAML response was posted to another connection's ACS URL; start the sign-in again",
} as const;

function samlCallbackBody(body: unknown) {
  const parsed = ssoSamlCallbackRequestSchema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  if (parsed.error.issues.some((i) => i.path[0] === 'RelayState')) throw badRequest(MESSAGES.invalidState);
  throw badRequest(SAML_MESSAGES.responseRequired);
}

/** A test sign-in finished at the SAML ACS: who the IdP vouched for, and no session. */
function testSignInResult({ connection, identity }: Completed): SsoSamlTestCallbackResponse {
  return {
    developerId: connection.developerId,
    connectionId: connection.id,
    email: identity.email,
    emailVerified: identity.emailVerified,
    name: identity.name,
    sub: identity.sub,
    groups: identity.groups,
    test: true,
  };
}

const idpInitiatedRefused = () => new ApiError(400, 'SSO_ERROR', SAML_REASONS.idp_initiated_disabled, 'saml_idp_initiated_disabled');

/**
 * An unsolicited response (no RelayState of ours): accepted only on an active SAML connection that allows
 * IdP-initiated sign-in, named by the ACS URL's `?connection=`; the assertion must be fresh and answer no
 * request, and its id is claimed once. The answer is the member's session, as for any sign-in; where the browser
 * lands is the caller's fixed configuration (RelayState is never a URL).
 *
 * Anyone can post to the ACS naming any connection, so the attempt is filed in the connection's sign-in log only
 * once the assertion's signature verified against that connection's certificates (its IdP sent it, even if a
 * later check refuses it); anything else is counted (ctx.unattributed), never stored as that org's event.
 */
async function completeIdpInitiated(
  ctx: ServiceContext,
  request: FastifyRequest,
  connectionId: string | undefined,
  samlResponse: string,
): Promise<SsoSessionCallbackResponse> {
  const signIn = startSignIn(request, { startedBy: 'idp_initiated', protocol: 'saml' });
  const unverified = () => ctx.unattributed.note('saml_idp_initiated_unverified', request.id);
  const found = connectionId !== undefined && connectionId.length <= 128 ? await ctx.store.getConnectionById(connectionId) : undefined;
  if (!found || found.protocol !== 'saml') {
    unverified();
    throw idpInitiatedRefused();
  }
  let attributed = false;
  const attribute = () => {
    attributed = true;
    Object.assign(signIn, { developerId: found.developerId, connectionId: found.id });
  };
  const refusal = !found.saml.allowIdpInitiated
    ? idpInitiatedRefused()
    : found.status === 'inactive'
      ? new ApiError(404, 'NOT_FOUND', MESSAGES.ssoNotConfigured, 'connection_inactive')
      : found.status === 'testing'
        ? ssoRefused(SESSION_MESSAGES.connectionTesting, 'connection_testing')
        : null;
  if (refusal) {
    // Refused whatever it says; its signature only decides whose log the refusal lands in.
    if (await ctx.protocols.saml.signatureVerifies(found, samlResponse)) attribute();
    else unverified();
    throw refusal;
  }
  try {
    const vouched = await ctx.protocols.saml.completeUnsolicited(found, samlResponse, attribute);
    signIn.identity = vouched;
    const identity = await settleEmailTrust(ctx.store, found, vouched);
    signIn.identity = identity;
    return await openSession(ctx, { connection: found, identity });
  } finally {
    if (!attributed) unverified();
  }
}
