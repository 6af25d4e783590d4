/**
 * Sessions (Bearer key; another org's id is a 404, the same as an unknown one):
 * - `GET /v1/sso/sessions`: the org's active sessions (unexpired, unrevoked), newest first, at most SESSIONS_LIST_MAX.
 * - `GET /v1/sso/sessions/:id`: one active session (a relying app checks a session is still valid); 404 otherwise.
 * - `DELETE /v1/sso/sessions/:id`: revokes it (204).
 * - `POST /sso/sessions/check` (public, rate-limited): `{developerId, sessionId}` → `{active, expiresAt}`; the
 *   console re-checks a member's session with it. Revoked, expired, unknown and another org's ids answer alike.
 */
import type { FastifyRequest } from 'fastify';
import { ID_MAX, idParamsSchema, ssoSessionCheckRequestSchema, type SsoSessionList } from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { developerOf, requireDeveloper } from '../../http/auth';
import { clientAddress } from '../../http/client-address';
import type { RouteRateLimit } from '../../http/rate-limit-options';
import { absentAsEmpty, type ServiceApp } from '../../http/validation';
import { endConsoleSessionsOf } from '../console-access/service';
import { apiKeyActor } from '../events/recorder';
import { checkSession, getSession, listSessions, revokeSession } from './service';
import { toWireSession } from './wire';

/**
 * Session-check buckets are per member address (named by the console, see http/client-address.ts) and the org
 * named in the body: a flood naming one org from one address spends only that address's budget.
 */
function sessionCheckRateKey(request: FastifyRequest): string {
  const body = request.body;
  const org = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).developerId : undefined;
  return `${clientAddress(request)}\nsession-check:${typeof org === 'string' ? org.slice(0, ID_MAX) : ''}`;
}

export function registerSessionRoutes(app: ServiceApp, ctx: ServiceContext, checkRateLimit: RouteRateLimit) {
  const preValidation = requireDeveloper(ctx);
  const params = idParamsSchema;

  app.get('/v1/sso/sessions', { preValidation }, async (request) => {
    const body: SsoSessionList = { sessions: (await listSessions(ctx, developerOf(request).id)).map(toWireSession) };
    return body;
  });

  app.get('/v1/sso/sessions/:id', { preValidation, schema: { params } }, async (request) =>
    toWireSession(await getSession(ctx, developerOf(request).id, request.params.id)),
  );

  app.delete('/v1/sso/sessions/:id', { preValidation, schema: { params } }, async (request, reply) => {
    const dev = developerOf(request);
    const { id } = request.params;
    await revokeSession(ctx, dev.id, id);
    await endConsoleSessionsOf(ctx, dev.id, [id]);
    ctx.audit.record({
      developerId: dev.id,
      actor: apiKeyActor(request),
      action: 'session.revoked',
      target: { type: 'session', id },
    });
    return reply.code(204).send();
  });

  /**
   * No credential, because the console holds no API key for its members' pages. What stands in for one is the
   * session id itself (16 random bytes, never shown to the member, known only to the member's sealed console
   * cookie and to the org's API-key holders, who can read the session anyway); the answer is only whether it is
   * active and until when, and every inactive case looks the same.
   */
  // The org is in the body, so the bucket is keyed once the body is parsed (before its schema: a malformed body
  // spends the budget too).
  const limit =
    checkRateLimit === false
      ? false
      : { ...checkRateLimit, hook: 'preValidation' as const, keyGenerator: sessionCheckRateKey };
  app.post(
    '/sso/sessions/check',
    { config: { rateLimit: limit }, schema: { body: absentAsEmpty(ssoSessionCheckRequestSchema) } },
    async (request) => checkSession(ctx, request.body.developerId, request.body.sessionId),
  );
}
