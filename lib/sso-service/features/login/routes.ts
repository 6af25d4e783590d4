/**
 * Member sign-in:
 * - `GET /sso/login` (public, rate-limited): picks the connection (pick-connection.ts) and answers the IdP's
 *   authorization URL with a sealed state. Hot path: one indexed read, one AES-GCM seal, no database write.
 * - `GET /sso/connections?org=` (public): the member's chooser.
 * - The callbacks, one completion (completion.ts):
 *   - `GET /sso/callback` (legacy contract): the identity only; it opens no session. Test sign-ins (`tst`
 *     states) finish here, on a connection of any status.
 *   - `POST /sso/callback/oidc` (JSON or form-encoded): a member sign-in; the principal is upserted (JIT) and a
 *     session opened in one store call. A test state is refused before it is claimed (it can still finish at GET).
 *   - `POST /sso/callback/saml` (form-encoded as an IdP posts it, or JSON: SAMLResponse, RelayState): the SAML
 *     ACS. RelayState = our handle for a sealed state (relay-state.ts) → the same completion (member: session; test: the identity, `test:
 *     true`); anything else is unsolicited (IdP-initiated), accepted only where the connection allows it.
 */
import type { FastifyError } from 'fastify';
import {
  SESSION_MESSAGES,
  ssoCallbackRequestQuerySchema,
  ssoLoginRequestQuerySchema,
  ssoOidcCallbackRequestSchema,
  ssoPublicConnectionsQuerySchema,
  ssoSamlCallbackQuerySchema,
  ssoSamlCallbackRequestSchema,
  type SsoDomainLoginResponse,
  type SsoLoginResponse,
  type SsoSamlTestCallbackResponse,
  type SsoSessionCallbackResponse,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { STATE_MAX_LENGTH } from '../../crypto/login-state';
import { ApiError, badRequest, reasonError } from '../../http/api-error';
import { callbackBodyRateKey, type RouteRateLimit } from '../../http/rate-limit-options';
import { isAbsent } from '../../http/describe-issues';
import { absentAsEmpty, type Issue, type ServiceApp } from '../../http/validation';
import { SAML_REASONS } from '../../saml';
import type { ProtocolResponse } from '../../protocols';
import { redirectUriMismatch } from '../../storage/types';
import { ssoRequiredFor } from '../console-access/service';
import { startSignIn } from '../events/sign-in-context';
import {
  completeCallback,
  completeIdpInitiated,
  oidcResponse,
  openSession,
  openState,
  refuseForeignRedirectUri,
  SAML_MESSAGES,
} from './completion';
import { given, pickConnection, publicConnections } from './pick-connection';
import { looksLikeRelayHandle } from './relay-state';
import { toWireIdentity, toWireSamlTest } from './wire';

/** Largest POST /sso/callback/saml body; the SAML core caps the SAMLResponse itself lower (DEFAULT_MAX_RESPONSE_BASE64). */
export const SAML_BODY_LIMIT_BYTES = 512 * 1024;

const fieldOf = (issue: Issue) => String(issue.path[0] ?? '');
/** A parameter that is absent (or empty, where it must be given). */
const isMissing = (issue: Issue, input: unknown) =>
  issue.code === 'too_small' || (issue.code === 'invalid_type' && isAbsent(input, issue.path));

/** The legacy login URL's words: no org → org_required; a repeated parameter → "… must be given at most once". */
function invalidLoginQuery(issues: readonly Issue[]): ApiError {
  const field = issues[0] ? fieldOf(issues[0]) : '';
  if (field === 'intent' && issues[0]?.code === 'invalid_value') return badRequest('intent must be member or console');
  return field === 'org' || field === ''
    ? reasonError('org_required')
    : badRequest(`${field} must be given at most once`);
}

/**
 * The callbacks' legacy words, decided as the legacy checks did: a missing or empty code/state first, then the
 * first problem in field order (iss and redirect_uri must be one short URL; anything else is an invalid state).
 */
function invalidCallbackQuery(issues: readonly Issue[], input: unknown): ApiError {
  if (issues.some((i) => isMissing(i, input) && (fieldOf(i) === 'code' || fieldOf(i) === 'state')))
    return reasonError('code_and_state_required');
  const first = issues[0] ? fieldOf(issues[0]) : '';
  if (first === 'iss' || first === 'redirect_uri') return badRequest(`${first} must be a single URL`);
  return reasonError('invalid_state');
}

/** POST /sso/callback/oidc: the same words, decided over the whole body (a non-object body is an invalid state). */
function invalidCallbackBody(issues: readonly Issue[]): ApiError {
  const fields = new Set(issues.map(fieldOf));
  if (fields.has('iss')) return badRequest('iss must be a single URL');
  if (fields.has('redirect_uri')) return badRequest('redirect_uri must be a single URL');
  const missing = issues.some((i) => i.code === 'invalid_type' || i.code === 'too_small');
  return reasonError(missing && !fields.has('') ? 'code_and_state_required' : 'invalid_state');
}

/** The SAML ACS: a bad RelayState is an invalid state; anything else means the IdP's form was not posted. */
function invalidSamlBody(issues: readonly Issue[]): ApiError {
  if (issues.some((i) => fieldOf(i) === 'RelayState')) return reasonError('invalid_state');
  return badRequest(SAML_MESSAGES.responseRequired);
}

/** `application/x-www-form-urlencoded` for the POST callbacks: each field once (a repeated one stays an array and fails). */
function parseForm(text: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const seen = fields[key];
    fields[key] = seen === undefined ? value : ([] as string[]).concat(seen, value);
  }
  return fields;
}

export function registerLoginRoutes(
  app: ServiceApp,
  ctx: ServiceContext,
  limits: { login: RouteRateLimit; callback: RouteRateLimit },
) {
  app.get(
    '/sso/login',
    {
      config: { rateLimit: limits.login, invalid: invalidLoginQuery },
      schema: { querystring: ssoLoginRequestQuerySchema },
    },
    async (request) => {
      const { connection, orgEnforces } = await pickConnection(ctx, request.query);
      // An empty redirect_uri means "not given": the configured URI is always the one sent to the IdP.
      if (redirectUriMismatch(connection, request.query.redirect_uri)) {
        throw badRequest('redirect_uri does not match the redirect URI configured for this org');
      }
      const login = ctx.states.issue(connection.developerId, connection.id, {
        console: request.query.intent === 'console',
      });
      const [authorizeUrl, ssoRequired] = await Promise.all([
        ctx.protocols[connection.protocol].startLogin(connection, login),
        // Known from the read that found the connection, except on the `connection=` path, which reads it now.
        orgEnforces === undefined ? ssoRequiredFor(ctx, connection) : connection.provisioning.enforce || orgEnforces,
      ]);
      const body: SsoLoginResponse = {
        authorizeUrl,
        protocol: connection.protocol,
        connectionId: connection.id,
        ssoRequired,
      };
      // Routed by domain alone: the caller named no org, so the answer says which one (a login binds to it).
      if (!given(request.query.org))
        return { ...body, developerId: connection.developerId } satisfies SsoDomainLoginResponse;
      return body;
    },
  );

  app.get(
    '/sso/connections',
    {
      config: { rateLimit: limits.login, invalid: () => reasonError('org_required') },
      schema: { querystring: ssoPublicConnectionsQuerySchema },
    },
    async (request) => publicConnections(ctx, request.query.org),
  );

  app.get(
    '/sso/callback',
    {
      config: { rateLimit: limits.callback, invalid: invalidCallbackQuery },
      schema: { querystring: ssoCallbackRequestQuerySchema },
    },
    async (request) => {
      const { code, state: token, iss, redirect_uri: redirectUri } = request.query;
      const state = openState(ctx, request, token);
      const preloaded = await refuseForeignRedirectUri(ctx, state, redirectUri);
      // No second write on success: a claimed state without a recorded failure answers "expired or used".
      return completeCallback(
        ctx,
        request,
        { token, response: oidcResponse(code, iss) },
        state,
        async ({ connection, identity }) => toWireIdentity(connection, identity),
        preloaded,
      );
    },
  );

  // The body carries the state, so its rate-limit bucket is keyed once the body is parsed (preValidation: before
  // the schema, so a malformed body spends the budget too).
  const rateLimit = limits.callback;
  const postRateLimit =
    rateLimit === false
      ? false
      : { ...rateLimit, hook: 'preValidation' as const, keyGenerator: callbackBodyRateKey(ctx.states) };
  void app.register(async (scope: ServiceApp) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, parseForm(typeof body === 'string' ? body : body.toString('utf8')));
    });
    scope.post(
      '/sso/callback/oidc',
      {
        config: { rateLimit: postRateLimit, invalid: invalidCallbackBody },
        schema: { body: absentAsEmpty(ssoOidcCallbackRequestSchema) },
      },
      async (request) => {
        const { code, state: token, iss, redirect_uri: redirectUri } = request.body;
        const state = openState(ctx, request, token);
        // Refused before the claim: the test sign-in can still finish where it belongs.
        if (state.tst) throw badRequest(SESSION_MESSAGES.testStateAtSessionCallback);
        const preloaded = await refuseForeignRedirectUri(ctx, state, redirectUri);
        return completeCallback(
          ctx,
          request,
          { token, response: oidcResponse(code, iss) },
          state,
          (done) => openSession(ctx, done),
          preloaded,
        );
      },
    );

    // The SAML ACS: a member sign-in (session), a test sign-in (identity only) or, where allowed, an IdP-initiated one.
    const samlRateLimit =
      rateLimit === false
        ? false
        : {
            ...postRateLimit,
            keyGenerator: callbackBodyRateKey(ctx.states, 'RelayState', ctx.relayStates.sealedStateOf),
          };
    scope.register(async (saml: ServiceApp) => {
      // The one refusal that happens before the handler: say it in the SAML words (the core's own cap is lower).
      saml.setErrorHandler((err: FastifyError) => {
        if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
          throw new ApiError(413, 'SSO_ERROR', SAML_REASONS.response_too_large, 'saml_response_too_large');
        throw err;
      });
      saml.post(
        '/sso/callback/saml',
        {
          bodyLimit: SAML_BODY_LIMIT_BYTES,
          config: { rateLimit: samlRateLimit, invalid: invalidSamlBody },
          schema: { body: absentAsEmpty(ssoSamlCallbackRequestSchema), querystring: ssoSamlCallbackQuerySchema },
        },
        async (request) => {
          const { SAMLResponse: samlResponse, RelayState: relayState } = request.body;
          const hint = request.query.connection;
          // RelayState is never used as a URL: it is our handle (relay-state.ts), a sealed state sent by a service
          // before handles (logins in flight across an upgrade), or ignored (IdP-initiated).
          let token: string;
          if (relayState !== undefined && looksLikeRelayHandle(relayState)) {
            const record = await ctx.relayStates.resolve(request, relayState);
            if (!record) throw reasonError('invalid_state');
            token = record.state;
          } else {
            const opened =
              relayState !== undefined && relayState.length <= STATE_MAX_LENGTH ? ctx.states.open(relayState) : null;
            if (!opened || relayState === undefined) return completeIdpInitiated(ctx, request, hint, samlResponse);
            token = relayState;
          }
          const state = openState(ctx, request, token);
          startSignIn(request, { protocol: 'saml' });
          if (hint !== undefined && state.con !== undefined && hint !== state.con)
            throw badRequest(SAML_MESSAGES.otherConnection);
          const response: ProtocolResponse = { protocol: 'saml', samlResponse };
          return completeCallback<SsoSessionCallbackResponse | SsoSamlTestCallbackResponse>(
            ctx,
            request,
            { token, response },
            state,
            (done) =>
              state.tst ? Promise.resolve(toWireSamlTest(done.connection, done.identity)) : openSession(ctx, done),
          );
        },
      );
    });
  });
}
