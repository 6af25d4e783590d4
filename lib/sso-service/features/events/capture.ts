/**
 * Captures every sign-in attempt that reaches a callback route, after the answer is sent (onResponse), into
 * the sign-in event buffer: outcome, stage, reason code, IdP error, identity, duration, request id, trace.
 * The routes only fill `request.signIn` (startSignIn); the callback adds no synchronous write, and the login
 * URL route is not touched at all (it writes nothing).
 *
 * An attempt whose state cannot be opened (tampered, garbage) names no organization, so it is logged by the
 * request log only; every other attempt is recorded under the org inside its state. An IdP-error report needs a
 * state it can consume (idpErrorResponse), and an IdP-initiated SAML post a verified signature (login/completion.ts).
 */
import { clientAddress } from '../../http/client-address';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onErrorHookHandler,
  onResponseHookHandler,
  preValidationHookHandler,
} from 'fastify';
import { EVENT_LIMITS, stageOfReason, type SignInReason } from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { STATE_MAX_LENGTH } from '../../crypto/login-state';
import { ApiError, reasonCodeOf, reasonError } from '../../http/api-error';
import { describeError } from '../../http/describe-error';
import { asStoreError } from '../../storage/errors';
import type { SignInEventRecorder } from './recorder';
import { runWithSignIn, startSignIn, type SignInRecord } from './sign-in-context';

/** The routes that complete a sign-in: the legacy shared callback and the OIDC and SAML ones. */
export const SIGN_IN_ROUTES: ReadonlySet<string> = new Set([
  '/sso/callback',
  '/sso/callback/oidc',
  '/sso/callback/saml',
]);

/** RFC 6749 §4.1.2.1: error and error_description are %x20-21 / %x23-5B / %x5D-7E; anything else becomes "?". */
const NOT_OAUTH_TEXT = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;
const ERROR_CODE_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/;

/** The IdP's error text as stored: outside the RFC's characters replaced, capped. */
export function cleanIdpText(value: unknown, max: number): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const clean = value.slice(0, max * 2).replace(NOT_OAUTH_TEXT, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function reasonOfError(err: unknown, record: SignInRecord, nowMs: number): SignInReason {
  if (err instanceof ApiError) {
    const detail = reasonCodeOf(err);
    if (detail === 'state_expired_or_used') {
      return record.stateExpiresAtMs !== null && record.stateExpiresAtMs <= nowMs ? 'state_expired' : 'state_replayed';
    }
    // At a callback, "not configured" means the state's connection went away (or off) while the member was at the IdP.
    if (detail === 'sso_not_configured') return 'callback_connection_gone';
    return err.reason;
  }
  const storeError = asStoreError(err);
  if (storeError) return storeError.transient ? 'storage_unavailable' : 'storage_failed';
  return 'internal_error';
}

function eventOf(
  record: SignInRecord & { developerId: string },
  request: FastifyRequest,
  reply: FastifyReply,
  nowMs: number,
) {
  const success = reply.statusCode < 400;
  const reason = success ? null : (record.reason ?? reasonOfError(record.error, record, nowMs));
  const identity = success ? record.identity : null;
  return {
    developerId: record.developerId,
    connectionId: record.connectionId,
    protocol: record.protocol,
    startedBy: record.startedBy,
    outcome: success ? ('success' as const) : ('failure' as const),
    stage: reason ? (record.failedStage ?? stageOfReason(reason)) : success ? ('complete' as const) : record.stage,
    reason,
    idpError: record.idpError,
    idpErrorDescription: record.idpErrorDescription,
    email: identity?.email ?? null,
    sub: identity?.sub ?? null,
    name: identity?.name ?? null,
    durationMs: Math.round(reply.elapsedTime * 10) / 10,
    requestId: request.id,
    trace: record.trace,
    // The member's address the console names (believed only with the console secret), else the connection's.
    clientIp: clientAddress(request),
  };
}

/**
 * `error=…` from the IdP instead of a code (RFC 6749 §4.1.2.1), forwarded with the state (the console's
 * `reportIdpError`): recorded under the state's org with the IdP's error and description, and answered with a
 * readable SSO_ERROR. Anyone can fetch a state of any org from its public login URL, so the report CONSUMES the
 * state, exactly as a callback claims it: each state files at most one event, and a report with an expired or
 * already-used state is refused and files none (it is only counted, see unattributed.ts). The IdP's refusal is
 * kept as the state's failure, so a later callback with that state repeats it instead of reaching the IdP. A
 * state that does not open is left to the route (which answers "code and state are required").
 */
async function idpErrorResponse(
  ctx: ServiceContext,
  request: FastifyRequest,
  record: SignInRecord,
): Promise<ApiError | null> {
  if (request.method !== 'GET') return null;
  const query = request.query as Record<string, unknown> | undefined;
  if (!query || query.code !== undefined || typeof query.error !== 'string' || typeof query.state !== 'string')
    return null;
  if (query.state.length > STATE_MAX_LENGTH) return null;
  const state = ctx.states.open(query.state);
  if (!state) return null;
  if (state.exp * 1000 <= ctx.now() || !(await ctx.store.claimState(state.sid, state.dev, state.exp * 1000))) {
    ctx.unattributed.note('idp_error_report_refused', request.id);
    return reasonError('state_expired_or_used');
  }
  const idpError = cleanIdpText(query.error, EVENT_LIMITS.idpErrorMax);
  Object.assign(record, {
    developerId: state.dev,
    connectionId: state.con ?? null,
    stateExpiresAtMs: state.exp * 1000,
    startedBy: state.tst ? 'test' : 'member',
    idpError,
    idpErrorDescription: cleanIdpText(query.error_description, EVENT_LIMITS.idpErrorDescriptionMax),
    reason: 'idp_error',
  });
  const named = idpError && ERROR_CODE_SHAPE.test(idpError) ? ` (${idpError})` : '';
  const answer = new ApiError(
    400,
    'SSO_ERROR',
    `The identity provider did not complete the sign-in${named}; start the login again`,
    'idp_error',
  );
  await ctx.store
    .recordStateFailure(state.sid, { status: answer.statusCode, code: answer.code, message: answer.message })
    .catch((err: unknown) =>
      ctx.logger.log('error', {
        reqId: request.id,
        msg: 'recording a reported IdP error failed',
        err: describeError(err),
      }),
    );
  return answer;
}

type Hooks = preValidationHookHandler | preValidationHookHandler[] | undefined;

/** The route's own hooks of one kind with `hook` first. */
function withFirst<H>(hook: H, existing: H | H[] | undefined): H[] {
  return [hook, ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing])];
}

/**
 * Adds the capture hooks to the sign-in routes only (other routes, the login URL included, pay nothing). Must be
 * registered before those routes.
 */
export function registerSignInCapture(app: FastifyInstance, ctx: ServiceContext, recorder: SignInEventRecorder): void {
  app.decorateRequest('signIn', null);

  // preValidation, not onRequest: after the body is parsed, so the sign-in context survives into the handler.
  const begin: preValidationHookHandler = (request, _reply, done) => {
    const record = startSignIn(request, {});
    idpErrorResponse(ctx, request, record).then(
      (idpError) => (idpError ? done(idpError) : runWithSignIn(record, () => done())),
      (err: unknown) => done(err as Error),
    );
  };
  const keepError: onErrorHookHandler = (request, _reply, error, done) => {
    if (request.signIn) request.signIn.error = error;
    done();
  };
  const record: onResponseHookHandler = (request, reply, done) => {
    const signIn = request.signIn;
    if (signIn?.developerId)
      recorder.record(eventOf(signIn as SignInRecord & { developerId: string }, request, reply, ctx.now()));
    done();
  };

  app.addHook('onRoute', (route) => {
    if (!SIGN_IN_ROUTES.has(route.url)) return;
    route.preValidation = withFirst(begin, route.preValidation as Hooks);
    route.onError = withFirst(keepError, route.onError as onErrorHookHandler | onErrorHookHandler[] | undefined);
    route.onResponse = withFirst(
      record,
      route.onResponse as onResponseHookHandler | onResponseHookHandler[] | undefined,
    );
  });
}
