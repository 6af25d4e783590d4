/**
 * Sessions and connection checks (Bearer key; another org's id is a 404, the same as an unknown one):
 * - `GET /v1/sso/sessions`: the org's active sessions (unexpired, unrevoked), newest first, at most SESSIONS_LIST_MAX.
 * - `GET /v1/sso/sessions/:id`: one active session (a relying app checks a session is still valid); 404 otherwise.
 * - `DELETE /v1/sso/sessions/:id`: revokes it (204).
 * - `POST /sso/sessions/check` (public, rate-limited): `{developerId, sessionId}` → `{active, expiresAt}`; the
 *   console re-checks a member's session with it. Revoked, expired, unknown and another org's ids answer alike.
 * - `POST /v1/sso/connections/:id/test`: a fresh discovery through the outbound guard (200 / 422).
 * - `POST /v1/sso/connections/:id/test-sign-in`: starts a test sign-in (state marked `tst`) on any status; it
 *   finishes at `GET /sso/callback` (SAML: `POST /sso/callback/saml`, answering `test: true`) and opens no session.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  MESSAGES,
  SESSION_MESSAGES,
  SESSIONS_LIST_MAX,
  ssoSessionCheckRequestSchema,
  ssoTestSignInRequestSchema,
  type SsoSessionCheckResponse,
  type SsoSession as WireSession,
  type SsoSessionList,
  type SsoTestSignInResponse,
} from '@/lib/contract';
import type { ServiceContext } from '../context';
import { badRequest, notFound } from '../http/api-error';
import { clientAddress } from '../http/client-address';
import { apiKeyActor, auditActorOf } from '../events/recorder';
import { authenticate, authenticateActor, CONNECTION_ACTORS } from '../http/auth';
import { invalidRequest } from '../http/describe-issues';
import { redirectUriMismatch, type SsoConnection, type SsoSession } from '../storage/types';
import type { RouteRateLimit } from './rate-limit-options';

const ID_MAX = 128;

function toWireSession(s: SsoSession): WireSession {
  return {
    id: s.id,
    connectionId: s.connectionId,
    principalId: s.principalId,
    email: s.email,
    emailVerified: s.emailVerified,
    name: s.name,
    idpSubject: s.idpSubject,
    groups: s.groups,
    mappedScopes: s.mappedScopes,
    expiresAt: s.expiresAt,
    createdAt: s.createdAt,
  };
}

export function registerSsoSessionRoutes(app: FastifyInstance, ctx: ServiceContext) {
  const nowIso = () => new Date(ctx.now()).toISOString();
  const sessionNotFound = () => notFound(SESSION_MESSAGES.sessionNotFound);

  async function ownConnection(developerId: string, id: string): Promise<SsoConnection> {
    const found = id.length <= ID_MAX ? await ctx.store.getConnection(developerId, id) : undefined;
    if (!found) throw notFound(MESSAGES.connectionNotFound);
    return found;
  }

  app.get('/v1/sso/sessions', async (request) => {
    const dev = await authenticate(ctx.store, request);
    const sessions = await ctx.store.listActiveSessions(dev.id, nowIso(), SESSIONS_LIST_MAX);
    const body: SsoSessionList = { sessions: sessions.map(toWireSession) };
    return body;
  });

  app.get<{ Params: { id: string } }>('/v1/sso/sessions/:id', async (request) => {
    const dev = await authenticate(ctx.store, request);
    const { id } = request.params;
    const session = id.length <= ID_MAX ? await ctx.store.getActiveSession(dev.id, id, nowIso()) : undefined;
    if (!session) throw sessionNotFound();
    return toWireSession(session);
  });

  app.delete<{ Params: { id: string } }>('/v1/sso/sessions/:id', async (request, reply) => {
    const dev = await authenticate(ctx.store, request);
    const { id } = request.params;
    if (!(id.length <= ID_MAX && (await ctx.store.revokeSession(dev.id, id, nowIso())))) throw sessionNotFound();
    ctx.audit.record({ developerId: dev.id, actor: apiKeyActor(request), action: 'session.revoked', target: { type: 'session', id } });
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/v1/sso/connections/:id/test', async (request, reply) => {
    const dev = await authenticateActor(ctx, request, CONNECTION_ACTORS);
    const connection = await ownConnection(dev.developerId, request.params.id);
    const result = await ctx.protocols[connection.protocol].testSettings(connection);
    ctx.audit.record({ developerId: dev.developerId, actor: auditActorOf(request, dev), action: 'connection.tested', target: { type: 'connection', id: connection.id } });
    return reply.code(result.success ? 200 : 422).send(result);
  });

  app.post<{ Params: { id: string } }>('/v1/sso/connections/:id/test-sign-in', async (request) => {
    const dev = await authenticateActor(ctx, request, CONNECTION_ACTORS);
    const parsed = ssoTestSignInRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) throw invalidRequest(parsed.error.issues);
    const connection = await ownConnection(dev.developerId, request.params.id);
    const redirectUri = parsed.data.redirect_uri;
    if (redirectUriMismatch(connection, redirectUri)) {
      throw badRequest(SESSION_MESSAGES.redirectUriMismatch);
    }
    const login = ctx.states.issue(connection.developerId, connection.id, { test: true });
    const authorizeUrl = await ctx.protocols[connection.protocol].startLogin(connection, login);
    const body: SsoTestSignInResponse = { authorizeUrl, protocol: connection.protocol, connectionId: connection.id };
    return body;
  });
}

/**
 * Session-check buckets are per member address (named by the console, see http/client-address.ts) and the org
 * named in the body: a flood naming one org from one address spends only that address's budget.
 */
function sessionCheckRateKey(request: FastifyRequest): string {
  const body = request.body;
  const org = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).developerId : undefined;
  return `${clientAddress(request)}\nsession-check:${typeof org === 'string' ? org.slice(0, 128) : ''}`;
}

/**
 * `POST /sso/sessions/check`: no credential, because the console holds no API key for its members' pages. What
 * stands in for one is the session id itself (16 random bytes, never shown to the member, known only to the
 * member's sealed console cookie and to the org's API-key holders, who can read the session anyway); the answer
 * is only whether it is active and until when, and every inactive case looks the same.
 */
export function registerSessionCheckRoute(app: FastifyInstance, ctx: ServiceContext, rateLimit: RouteRateLimit) {
  // The org is in the body, so the bucket is keyed once the body is parsed.
  const limit = rateLimit === false ? false : { ...rateLimit, hook: 'preHandler' as const, keyGenerator: sessionCheckRateKey };
  app.post('/sso/sessions/check', { config: { rateLimit: limit } }, async (request) => {
    const parsed = ssoSessionCheckRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) throw invalidRequest(parsed.error.issues);
    const { developerId, sessionId } = parsed.data;
    const session = await ctx.store.getActiveSession(developerId, sessionId, new Date(ctx.now()).toISOString());
    const body: SsoSessionCheckResponse = session ? { active: true, expiresAt: session.expiresAt } : { active: false, expiresAt: null };
    return body;
  });
}
