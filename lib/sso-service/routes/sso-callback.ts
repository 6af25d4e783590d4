import type { FastifyInstance } from 'fastify';
import { MESSAGES, type ErrorCode, type SsoCallbackResponse } from '@/lib/contract';
import type { ServiceContext } from '../context';
import type { RpIdentity } from '../relying-party-port';
import { ApiError, badRequest } from '../http/api-error';
import { STATE_MAX_LENGTH } from '../crypto/login-state';
import type { RouteRateLimit } from './rate-limit-options';
import { rpClientConfig, ssoErrorFrom } from './relying-party-calls';

const CODE_MAX = 4096;
const ISS_MAX = 2048;

type CallbackQuery = { code?: unknown; state?: unknown; iss?: unknown };

const expiredOrUsed = () => badRequest(MESSAGES.stateExpiredOrUsed);

export function registerSsoCallbackRoute(app: FastifyInstance, ctx: ServiceContext, rateLimit: RouteRateLimit) {
  app.get('/sso/callback', { config: { rateLimit } }, async (request) => {
    const { code, state: token, iss } = request.query as CallbackQuery;
    if (typeof code !== 'string' || typeof token !== 'string' || code.length === 0 || token.length === 0) {
      throw badRequest(MESSAGES.codeAndStateRequired);
    }
    if (code.length > CODE_MAX || token.length > STATE_MAX_LENGTH) throw badRequest(MESSAGES.invalidState);
    if (iss !== undefined && (typeof iss !== 'string' || iss.length > ISS_MAX)) {
      throw badRequest('iss must be a single URL');
    }
    const state = ctx.states.open(token);
    if (!state) throw badRequest(MESSAGES.invalidState);
    const nowMs = ctx.now();
    if (state.exp * 1000 <= nowMs) throw expiredOrUsed();

    // Claim the state before anything talks to the IdP: a replay can never redeem a code twice.
    if (!ctx.store.consumeState(state.sid, state.dev, state.exp * 1000)) {
      const previous = ctx.store.getConsumedState(state.sid);
      // A retried failure repeats the real error instead of hiding it behind "already used".
      if (previous?.outcome === 'failed' && previous.error_status && previous.error_code && previous.error_message) {
        throw new ApiError(previous.error_status, previous.error_code as ErrorCode, previous.error_message);
      }
      throw expiredOrUsed();
    }

    try {
      const row = ctx.store.getSsoConfig(state.dev);
      if (!row) throw new ApiError(404, 'NOT_FOUND', MESSAGES.ssoNotConfigured);
      let identity: RpIdentity;
      try {
        identity = await ctx.rp.redeem(rpClientConfig(ctx, row), {
          code,
          state: token,
          ...(typeof iss === 'string' ? { iss } : {}),
          nonce: state.nonce,
          codeVerifier: state.cv,
        });
      } catch (err) {
        throw ssoErrorFrom(err) ?? err;
      }
      // No second write on success: a claimed state without a recorded failure answers "expired or used".
      const body: SsoCallbackResponse = {
        developerId: row.developer_id,
        email: identity.email ?? null,
        name: identity.name ?? null,
        sub: identity.sub,
      };
      return body;
    } catch (err) {
      const failure =
        err instanceof ApiError ? err : new ApiError(500, 'INTERNAL_ERROR', MESSAGES.internal);
      ctx.store.recordStateFailure(state.sid, {
        status: failure.statusCode,
        code: failure.code,
        message: failure.message,
      });
      throw err;
    }
  });
}
