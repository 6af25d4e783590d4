/**
 * Finishing a sign-in, shared by every callback (routes.ts): open the sealed state, claim it before the IdP is
 * asked (single use, across processes), finish the login on the connection it started on through the protocol
 * seam, settle email trust, open the member's session, and record a failure so a retry repeats it.
 * IdP-initiated SAML posts (no state of ours) finish in completeIdpInitiated.
 */
import type { FastifyRequest } from 'fastify';
import { ID_MAX, MESSAGES, SESSION_MESSAGES, type SignInStage, type SsoSessionCallbackResponse } from '@/lib/contract';
import { startDeadline, untilAborted, type Deadline } from '@/lib/net';
import type { ServiceContext } from '../../context';
import type { LoginState } from '../../crypto/login-state';
import { randomId } from '../../crypto/random-id';
import { ApiError, badRequest, reasonError } from '../../http/api-error';
import { describeError } from '../../http/describe-error';
import type { ProtocolResponse, SsoIdentity } from '../../protocols';
import { SAML_REASONS } from '../../saml';
import { principalIssuer, redirectUriMismatch, type SsoConnection } from '../../storage/types';
import { consoleRoleOf, openSsoConsoleSession } from '../console-access/service';
import { directoryGate } from '../directory/service';
import { runningStep } from '../../oidc/trace';
import { startSignIn, type SignInRecord } from '../events/sign-in-context';
import { logoutKeysOf } from '../logout/keys';
import { settleEmailTrust } from './email-trust';
import { mapScopes } from './provisioning';
import { replayedFailure, storedFailure } from './state-failure';
import { toWireSessionSignIn } from './wire';

/** A member sign-in on a connection that is switched off reads as "not configured", as it always has. */
const connectionInactive = () =>
  reasonError('sso_not_configured', { status: 404, code: 'NOT_FOUND', reason: 'connection_inactive' });

/** Session lifetime when the configuration does not say (8 hours). */
export const DEFAULT_SESSION_TTL_SEC = 8 * 60 * 60;

const expiredOrUsed = () => reasonError('state_expired_or_used');
/** A member sign-in on a connection that is not active (checked again at the callback: it may have changed). */
const ssoRefused = (message: string, reason: 'connection_testing' | 'member_not_provisioned') =>
  new ApiError(403, 'SSO_ERROR', message, reason);

export interface CallbackInput {
  token: string;
  /** What the IdP sent back (its protocol must be the connection's). */
  response: ProtocolResponse;
}

export interface Completed {
  state: LoginState;
  connection: SsoConnection;
  identity: SsoIdentity;
}

/**
 * Opens the state and checks its expiry (no write); an unreadable state is a 400. Names the attempt's org and
 * connection for the sign-in log as soon as they are known.
 */
export function openState(ctx: ServiceContext, request: FastifyRequest, token: string): LoginState {
  const state = ctx.states.open(token);
  if (!state) throw reasonError('invalid_state');
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
async function connectionFor(
  ctx: ServiceContext,
  state: LoginState,
  preloaded?: SsoConnection,
): Promise<SsoConnection> {
  const connection =
    preloaded ??
    (state.con === undefined
      ? await ctx.store.getDefaultConnection(state.dev)
      : await ctx.store.getConnection(state.dev, state.con));
  if (!connection)
    throw reasonError('sso_not_configured', { status: 404, code: 'NOT_FOUND', reason: 'connection_not_found' });
  if (state.tst) return connection;
  if (connection.status === 'inactive') throw connectionInactive();
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
export async function refuseForeignRedirectUri(
  ctx: ServiceContext,
  state: LoginState,
  redirectUri: string | undefined,
): Promise<SsoConnection | undefined> {
  if (redirectUri === undefined || redirectUri === '') return undefined;
  const connection =
    state.con === undefined
      ? await ctx.store.getDefaultConnection(state.dev)
      : await ctx.store.getConnection(state.dev, state.con);
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
export async function completeCallback<T>(
  ctx: ServiceContext,
  request: FastifyRequest,
  input: CallbackInput,
  state: LoginState,
  finish: (done: Completed) => Promise<T>,
  preloaded?: SsoConnection,
): Promise<T> {
  // One deadline for everything the IdP has to answer in this callback, from its start (the claim included).
  const deadline = startDeadline(ctx.config.signInDeadlineMs ?? DEFAULT_SIGNIN_DEADLINE_MS);
  try {
    return await completeWithin(ctx, request, input, state, finish, deadline, preloaded);
  } finally {
    deadline.clear();
  }
}

async function completeWithin<T>(
  ctx: ServiceContext,
  request: FastifyRequest,
  input: CallbackInput,
  state: LoginState,
  finish: (done: Completed) => Promise<T>,
  deadline: Deadline,
  preloaded?: SsoConnection,
): Promise<T> {
  // Claim the state before anything talks to the IdP: a replay can never redeem a code twice, whichever
  // process it reaches (the claim is a row in the shared database).
  if (!(await ctx.store.claimState(state.sid, state.dev, state.exp * 1000))) {
    // A retried failure repeats the real error instead of hiding it behind "already used".
    const previous = await ctx.store.getStateFailure(state.sid);
    if (previous) throw replayedFailure(previous);
    throw expiredOrUsed();
  }

  try {
    const signIn = startSignIn(request, {});
    const connection = await connectionFor(ctx, state, preloaded);
    signIn.connectionId = connection.id;
    signIn.protocol = connection.protocol;
    if (connection.protocol !== input.response.protocol) throw badRequest(protocolMismatch(connection.protocol));
    let vouched: SsoIdentity;
    try {
      vouched = await untilAborted(
        ctx.protocols[connection.protocol].completeLogin(connection, { token: input.token, state }, input.response, {
          signal: deadline.signal,
        }),
        deadline.signal,
      );
    } catch (err) {
      // However the running step reported being cut (a timeout, a network error, an RpError), it is the deadline.
      if (deadline.expired()) throw deadlineExceeded(ctx, request, signIn);
      throw err;
    }
    signIn.identity = vouched;
    const identity = await settleEmailTrust(ctx.store, connection, vouched);
    signIn.identity = identity;
    return await finish({ state, connection, identity });
  } catch (err) {
    const failure = err instanceof ApiError ? err : new ApiError(500, 'INTERNAL_ERROR', MESSAGES.internal);
    // The caller gets the real failure even if recording it fails (a retry then says "expired or used").
    await ctx.store.recordStateFailure(state.sid, storedFailure(failure)).catch((recordErr: unknown) =>
      ctx.logger.log('error', {
        reqId: request.id,
        msg: 'recording a failed callback failed',
        err: describeError(recordErr),
      }),
    );
    throw err;
  }
}

/** The sign-in deadline when the configuration does not say (SSO_SIGNIN_DEADLINE_MS). */
export const DEFAULT_SIGNIN_DEADLINE_MS = 10_000;

/** The sign-in log's stage for each step of a trace (oidc/relying-party.ts, protocols/saml.ts). */
const STAGE_OF_STEP: Record<string, SignInStage> = {
  discovery: 'start',
  token: 'token',
  id_token: 'id_token',
  userinfo: 'userinfo',
  validation: 'assertion',
};

/**
 * The callback ran out of time at the IdP: the event's stage is the step that was running, and the log line names
 * it with the durations of the steps that ended, so an operator sees which step was slow.
 */
function deadlineExceeded(ctx: ServiceContext, request: FastifyRequest, signIn: SignInRecord): ApiError {
  const steps = signIn.trace.steps ?? [];
  const running = runningStep(signIn.trace);
  signIn.failedStage = (running !== undefined ? STAGE_OF_STEP[running] : undefined) ?? 'idp';
  ctx.logger.log('warn', {
    reqId: request.id,
    msg: 'sign-in deadline exceeded',
    deadlineMs: ctx.config.signInDeadlineMs ?? DEFAULT_SIGNIN_DEADLINE_MS,
    step: running ?? null,
    stepsMs: Object.fromEntries(steps.map((step) => [step.name, Math.round(step.endMs - step.startMs)])),
  });
  return reasonError('idp_deadline_exceeded', { status: 504, code: 'SSO_ERROR', reason: 'idp_deadline_exceeded' });
}

export const oidcResponse = (code: string, iss: string | undefined): ProtocolResponse => ({
  protocol: 'oidc',
  code,
  ...(iss !== undefined ? { iss } : {}),
});

/** A callback of one protocol with the state of another protocol's connection. */
const protocolMismatch = (protocol: SsoConnection['protocol']) =>
  `This sign-in started on ${protocol === 'saml' ? 'a SAML' : 'an OIDC'} connection; it finishes at ${protocol === 'saml' ? 'POST /sso/callback/saml' : 'the OIDC callback'}`;

/**
 * When a session opened at `nowMs` ends: the configured TTL, cut short by the IdP's own session end when it
 * sent one (SAML `SessionNotOnOrAfter`), so an IdP session policy of 30 minutes gives a 30-minute session. Null
 * when the IdP's session is already over (no session is opened).
 */
export function sessionExpiry(nowMs: number, ttlSec: number, idpSessionEnd: Date | undefined): number | null {
  const configured = nowMs + ttlSec * 1000;
  if (idpSessionEnd === undefined) return configured;
  const bound = idpSessionEnd.getTime();
  if (!Number.isFinite(bound) || bound <= nowMs) return null;
  return Math.min(configured, bound);
}

/**
 * The member's principal upserted (or, without JIT, updated) and their session opened: one store call. A console
 * sign-in (the sealed state's `cns`) first needs a console role from the IdP's groups (none: refused before
 * anything is written) and then also opens the console session.
 */
export async function openSession(
  ctx: ServiceContext,
  { connection, identity, state }: Pick<Completed, 'connection' | 'identity'> & { state?: LoginState },
): Promise<SsoSessionCallbackResponse> {
  const consoleRole = state?.cns === true ? consoleRoleOf(connection, identity.groups) : null;
  const now = ctx.now();
  // The connection's own bound (maxSessionSeconds) shortens the service's TTL, never lengthens it.
  const serviceTtlSec = ctx.config.sessionTtlSec ?? DEFAULT_SESSION_TTL_SEC;
  const bound = connection.provisioning.maxSessionSeconds;
  const ttlSec = bound === null ? serviceTtlSec : Math.min(serviceTtlSec, bound);
  const expiresAtMs = sessionExpiry(now, ttlSec, identity.sessionNotOnOrAfter);
  // The SAML profile refuses a past SessionNotOnOrAfter already; this holds for any protocol that sends a bound.
  if (expiresAtMs === null)
    throw new ApiError(400, 'SSO_ERROR', SAML_REASONS.idp_session_ended, 'saml_idp_session_ended');
  // Directory sync decides before anything is written: a deactivated member gets no principal update and no session.
  const directory = await directoryGate(ctx, connection, identity);
  const groups = directory.groups ?? identity.groups;
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
    groups,
    mappedScopes: mapScopes(connection.provisioning, groups),
    jit: connection.provisioning.jitProvisioning,
    now: new Date(now).toISOString(),
    expiresAt: new Date(expiresAtMs).toISOString(),
    ...logoutKeysOf(ctx, connection.developerId, identity),
  });
  if (!session) throw ssoRefused(SESSION_MESSAGES.memberNotProvisioned, 'member_not_provisioned');
  if (consoleRole === null) return toWireSessionSignIn(session);
  return {
    ...toWireSessionSignIn(session),
    console: await openSsoConsoleSession(ctx, connection, session, consoleRole),
  };
}

export const SAML_MESSAGES = {
  responseRequired: 'SAMLResponse is required: post the form the identity provider sent (SAMLResponse and RelayState)',
  otherConnection: "This SAML response was posted to another connection's ACS URL; start the sign-in again",
} as const;

const idpInitiatedRefused = () =>
  new ApiError(400, 'SSO_ERROR', SAML_REASONS.idp_initiated_disabled, 'saml_idp_initiated_disabled');

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
export async function completeIdpInitiated(
  ctx: ServiceContext,
  request: FastifyRequest,
  connectionId: string | undefined,
  samlResponse: string,
): Promise<SsoSessionCallbackResponse> {
  const signIn = startSignIn(request, { startedBy: 'idp_initiated', protocol: 'saml' });
  const unverified = () => ctx.unattributed.note('saml_idp_initiated_unverified', request.id);
  const found =
    connectionId !== undefined && connectionId.length <= ID_MAX
      ? await ctx.store.getConnectionById(connectionId)
      : undefined;
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
      ? connectionInactive()
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
