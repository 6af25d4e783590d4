import type { FastifyInstance } from 'fastify';
import { MESSAGES, type ErrorCode, type SsoCallbackResponse } from '@/lib/contract';
import type { ServiceContext } from '../context';
import { ApiError, badRequest } from '../http/api-error';
import { describeError } from '../http/describe-error';
import { STATE_MAX_LENGTH } from '../crypto/login-state';
import { startSignIn } from '../events/sign-in-context';
import type { RouteRateLimit } from './rate-limit-options';
import { answerWith, fieldOf, stringFields } from './schemas';

interface CallbackQuery {
  code: string;
  state: string;
  iss?: string;
}

const querystring = stringFields({ code: { maxLength: 4096 }, state: { maxLength: STATE_MAX_LENGTH }, iss: { maxLength: 2048 } }, [
  'code',
  'state',
]);

/** Missing or empty code/state, an oversized or repeated one, or an iss that is not one short URL. */
function callbackQueryMessage(error: Parameters<Parameters<typeof answerWith>[0]>[0]): string {
  if (fieldOf(error) === 'iss') return 'iss must be a single URL';
  if (error.keyword === 'required' || error.keyword === 'minLength') return MESSAGES.codeAndStateRequired;
  return MESSAGES.invalidState;
}

const expiredOrUsed = () => badRequest(MESSAGES.stateExpiredOrUsed);

export function registerSsoCallbackRoute(app: FastifyInstance, ctx: ServiceContext, rateLimit: RouteRateLimit) {
  app.get<{ Querystring: CallbackQuery }>(
    '/sso/callback',
    { config: { rateLimit }, schema: { querystring }, schemaErrorFormatter: answerWith(callbackQueryMessage) },
    async (request) => {
      const { code, state: token, iss } = request.query;
      const state = ctx.states.open(token);
      if (!state) throw badRequest(MESSAGES.invalidState);
      const signIn = startSignIn(request, { developerId: state.dev, connectionId: state.con ?? null, stateExpiresAtMs: state.exp * 1000 });
      if (state.exp * 1000 <= ctx.now()) throw expiredOrUsed();

      // Claim the state before anything talks to the IdP: a replay can never redeem a code twice, whichever
      // process it reaches (the claim is a row in the shared database).
      if (!(await ctx.store.claimState(state.sid, state.dev, state.exp * 1000))) {
        // A retried failure repeats the real error instead of hiding it behind "already used".
        const previous = await ctx.store.getStateFailure(state.sid);
        if (previous) throw new ApiError(previous.status, previous.code as ErrorCode, previous.message, 'state_replayed');
        throw expiredOrUsed();
      }

      try {
        // The connection the login started on (states sealed before connections existed: the default one).
        const connection =
          state.con === undefined ? await ctx.store.getDefaultConnection(state.dev) : await ctx.store.getConnection(state.dev, state.con);
        // A connection switched off since the login started takes no more sign-ins.
        if (!connection || connection.status === 'inactive') throw new ApiError(404, 'NOT_FOUND', MESSAGES.ssoNotConfigured);
        signIn.connectionId = connection.id;
        const identity = await ctx.protocols[connection.protocol].completeLogin(
          connection,
          { token, state },
          { protocol: 'oidc', code, ...(iss !== undefined ? { iss } : {}) },
        );
        signIn.identity = identity;
        // No second write on success: a claimed state without a recorded failure answers "expired or used".
        const body: SsoCallbackResponse = {
          developerId: connection.developerId,
          email: identity.email ?? null,
          name: identity.name ?? null,
          sub: identity.sub,
        };
        return body;
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
    },
  );
}
