/**
 * Console access (docs/ENFORCEMENT.md):
 * - `GET /v1/console/me`, `DELETE /v1/console/session`: who the bearer is; a console session's sign-out.
 * - `POST /v1/sso/enforce` (Grantex's `setEnforcement`), `GET /v1/sso/enforcement[?email=]`.
 * - `GET|POST /v1/sso/break-glass`, `DELETE /v1/sso/break-glass/:id` (owner), and the public
 *   `POST /v1/console/break-glass` (rate-limited per client address, always).
 * Roles per route: permissions.ts (checked by http/auth.ts for every console session).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  breakGlassCreateRequestSchema,
  breakGlassSignInRequestSchema,
  CONSOLE_ACCESS_LIMITS,
  CONSOLE_ACCESS_MESSAGES,
  idParamsSchema,
  MESSAGES,
  ssoEnforceRequestSchema,
  ssoEnforcementQuerySchema,
  type BreakGlassList,
  type BreakGlassSignInResponse,
  type ConsoleMe,
  type SsoEnforceResponse,
} from '@/lib/contract';
import { BoundedMap } from '../../bounded-map';
import type { ServiceContext } from '../../context';
import { ApiError, badRequest, notFound } from '../../http/api-error';
import { developerOf, requireDeveloper } from '../../http/auth';
import { clientAddress } from '../../http/client-address';
import type { ServiceApp } from '../../http/validation';
import { apiKeyActor } from '../events/recorder';
import { CONSOLE_ROUTE_ROLES, PUBLIC_OR_KEY_ONLY_ROUTES, routeKey } from './permissions';
import {
  breakGlassSignIn,
  createBreakGlass,
  readEnforcement,
  revokeBreakGlass,
  setEnforcement,
  toWireBreakGlass,
} from './service';

/**
 * Refuses to start when an authenticated `/v1/` route has no place in the console role table (permissions.ts):
 * registered before every feature, so each route added later passes through it.
 */
export function registerConsoleRouteCheck(app: ServiceApp): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/')) return;
    for (const method of ([] as string[]).concat(route.method)) {
      const key = routeKey(method, route.url);
      if (!Object.hasOwn(CONSOLE_ROUTE_ROLES, key) && !PUBLIC_OR_KEY_ONLY_ROUTES.has(key))
        throw new Error(`${key} is missing from the console role table (features/console-access/permissions.ts)`);
    }
  });
}

/**
 * Fixed-window attempt counters for the break-glass sign-in: shared by every process on PostgreSQL (the
 * rate_limits table), per process on SQLite (one process owns the file). On even when RATE_LIMIT=off: a
 * credential that opens an owner session is never open to unbounded guessing.
 */
function breakGlassLimiter(ctx: ServiceContext) {
  const windowMs = CONSOLE_ACCESS_LIMITS.breakGlassWindowSeconds * 1000;
  const max = CONSOLE_ACCESS_LIMITS.breakGlassAttemptsPerWindow;
  const local = new BoundedMap<string, { count: number; resetAtMs: number }>(20_000);
  const hit = async (key: string) => {
    const now = ctx.now();
    const shared = ctx.store.sharedRateLimits;
    if (shared) return shared.hit(`break-glass\n${key}`, windowMs, now);
    const current = local.get(key);
    const next =
      current && current.resetAtMs > now
        ? { count: current.count + 1, resetAtMs: current.resetAtMs }
        : { count: 1, resetAtMs: now + windowMs };
    local.set(key, next);
    return next;
  };
  /** Counts one attempt under each key; a 429 (with Retry-After) once any is over. */
  return async (reply: FastifyReply, keys: string[]) => {
    let retryAfterMs = 0;
    for (const key of keys) {
      const { count, resetAtMs } = await hit(key);
      if (count > max) retryAfterMs = Math.max(retryAfterMs, resetAtMs - ctx.now());
    }
    if (retryAfterMs > 0) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
      throw new ApiError(429, 'RATE_LIMITED', MESSAGES.rateLimited);
    }
  };
}

export function registerConsoleAccessRoutes(app: ServiceApp, ctx: ServiceContext): void {
  const preValidation = requireDeveloper(ctx);
  const limitBreakGlass = breakGlassLimiter(ctx);
  const audit = (
    request: FastifyRequest,
    action: 'sso.enforcement_changed' | 'sso.break_glass_created' | 'sso.break_glass_deleted',
    target: { type: 'organization' | 'break_glass'; id: string },
    changedFields?: string[],
  ) =>
    ctx.audit.record({
      developerId: developerOf(request).id,
      actor: apiKeyActor(request),
      action,
      target,
      ...(changedFields ? { changedFields } : {}),
    });

  app.get('/v1/console/me', { preValidation }, async (request): Promise<ConsoleMe> => {
    const developer = developerOf(request);
    const s = request.consoleSession;
    if (!s)
      return {
        developerId: developer.id,
        role: 'owner',
        via: 'api_key',
        email: null,
        subject: null,
        connectionId: null,
        expiresAt: null,
      };
    return {
      developerId: developer.id,
      role: s.role,
      via: s.via,
      email: s.email,
      subject: s.subject,
      connectionId: s.connectionId,
      expiresAt: s.expiresAt,
    };
  });

  app.delete('/v1/console/session', { preValidation }, async (request, reply) => {
    const s = request.consoleSession;
    if (!s) throw badRequest(CONSOLE_ACCESS_MESSAGES.consoleSessionOnly);
    await ctx.store.revokeConsoleSession(s.developerId, s.id, new Date(ctx.now()).toISOString());
    return reply.code(204).send();
  });

  app.post(
    '/v1/sso/enforce',
    { preValidation, schema: { body: ssoEnforceRequestSchema } },
    async (request): Promise<SsoEnforceResponse> => {
      const developer = developerOf(request);
      const { enforce } = request.body;
      const { changed } = await setEnforcement(ctx, developer.id, enforce, apiKeyActor(request));
      if (changed) audit(request, 'sso.enforcement_changed', { type: 'organization', id: developer.id }, ['enforce']);
      return { enforce, developerId: developer.id };
    },
  );

  app.get(
    '/v1/sso/enforcement',
    { preValidation, schema: { querystring: ssoEnforcementQuerySchema } },
    async (request) => readEnforcement(ctx, developerOf(request).id, request.query.email),
  );

  app.get('/v1/sso/break-glass', { preValidation }, async (request): Promise<BreakGlassList> => {
    const list = await ctx.store.listBreakGlass(developerOf(request).id);
    return { credentials: list.map(toWireBreakGlass) };
  });

  app.post(
    '/v1/sso/break-glass',
    { preValidation, schema: { body: breakGlassCreateRequestSchema } },
    async (request, reply) => {
      const created = await createBreakGlass(ctx, developerOf(request).id, request.body.label, apiKeyActor(request));
      audit(request, 'sso.break_glass_created', { type: 'break_glass', id: created.id });
      // The credential is in this answer only.
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.delete(
    '/v1/sso/break-glass/:id',
    { preValidation, schema: { params: idParamsSchema } },
    async (request, reply) => {
      const { id } = request.params;
      if (id.length > 64) throw notFound(CONSOLE_ACCESS_MESSAGES.breakGlassNotFound);
      await revokeBreakGlass(ctx, developerOf(request).id, id);
      audit(request, 'sso.break_glass_deleted', { type: 'break_glass', id });
      return reply.code(204).send();
    },
  );

  // Public: the credential is the authentication. Counted before any lookup, per address and per the
  // credential id it names.
  app.post(
    '/v1/console/break-glass',
    { schema: { body: breakGlassSignInRequestSchema } },
    async (request, reply): Promise<BreakGlassSignInResponse> => {
      const { credential } = request.body;
      const address = clientAddress(request);
      // Per address only. A bucket per credential id would let anyone who learned an id (it is in the audit trail
      // every viewer reads) keep its holder out during an outage, and protects nothing: the secret is 32 random
      // bytes, out of reach of guessing at any rate.
      await limitBreakGlass(reply, [`address:${address}`]);
      const { session, grant } = await breakGlassSignIn(ctx, credential, address);
      void reply.header('cache-control', 'no-store');
      return { developerId: session.developerId, console: grant, label: session.label ?? '' };
    },
  );
}
