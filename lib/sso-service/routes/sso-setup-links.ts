/**
 * Setup links: `POST|GET /v1/sso/setup-links`, `DELETE /v1/sso/setup-links/:id` (API key only);
 * `GET /v1/sso/setup-links/preview` (the LINK token as Bearer: what the landing page shows, nothing recorded);
 * `POST /v1/sso/setup-links/session` (the LINK token: the IT admin redeems it for a setup SESSION token, the use
 * recorded with that session); `GET /v1/sso/setup-links/session` (the SESSION token: the console re-checks it).
 * A link token is refused everywhere else (auth.ts). Tokens are returned once; only their hashes are stored.
 * Another org's link id is a 404.
 */
import type { FastifyInstance } from 'fastify';
import {
  SETUP_LINK_MESSAGES,
  SETUP_LINK_USES_LISTED,
  setupLinkCreateSchema,
  setupLinkRedeemSchema,
  type SetupLink as WireSetupLink,
  type SetupLinkCreated,
  type SetupLinkList,
  type SetupLinkSession,
  type SetupLinkStatus,
  type SetupSession as WireSetupSession,
  type SetupSessionCreated,
  SETUP_SESSION_MAX_HOURS,
} from '@/lib/contract';
import type { ServiceContext } from '../context';
import { randomId } from '../crypto/random-id';
import { generateSetupSessionToken, generateSetupToken, hashSetupToken } from '../crypto/setup-tokens';
import { notFound, unauthorized } from '../http/api-error';
import { apiKeyActor } from '../events/recorder';
import { apiKeyHashFrom, authenticate, authenticateSetupLink, authenticateSetupSession, isSetupLinkUsable } from '../http/auth';
import { invalidRequest } from '../http/describe-issues';
import type { SetupLink, SetupLinkUse, SetupLinkWithOrg, SetupSession, SetupSessionWithLink } from '../storage/types';

const HOUR_MS = 60 * 60 * 1000;
const ID_MAX = 128;
/** User agents are kept for the audit trail, cut to this many characters. */
const USER_AGENT_MAX = 200;
/** Characters of the creating key's hash kept in `createdBy`: enough to tell keys apart, useless to an attacker. */
const CREATED_BY_HASH_CHARS = 10;

function statusOf(link: SetupLink, nowMs: number): SetupLinkStatus {
  if (link.revokedAt !== null) return 'revoked';
  return isSetupLinkUsable(link, nowMs) ? 'active' : 'expired';
}

function toWireLink(link: SetupLink, uses: SetupLinkUse[], nowMs: number): WireSetupLink {
  return {
    id: link.id,
    label: link.label,
    status: statusOf(link, nowMs),
    createdAt: link.createdAt,
    expiresAt: link.expiresAt,
    revokedAt: link.revokedAt,
    createdBy: link.createdBy,
    uses: uses.map((u) => ({ usedAt: u.usedAt, name: u.name, email: u.email, userAgent: u.userAgent })),
  };
}

function toPreview(link: SetupLinkWithOrg): SetupLinkSession {
  return { linkId: link.id, developerId: link.developerId, organizationName: link.organizationName, expiresAt: link.expiresAt };
}

function toWireSession({ session, link }: SetupSessionWithLink): WireSetupSession {
  return { ...toPreview(link), sessionId: session.id, sessionExpiresAt: session.expiresAt };
}

export function registerSsoSetupLinkRoutes(app: FastifyInstance, ctx: ServiceContext) {
  const iso = (ms: number) => new Date(ms).toISOString();

  app.post('/v1/sso/setup-links', async (request, reply) => {
    const dev = await authenticate(ctx.store, request);
    const parsed = setupLinkCreateSchema.safeParse(request.body ?? {});
    if (!parsed.success) throw invalidRequest(parsed.error.issues);
    const token = generateSetupToken();
    const now = ctx.now();
    const link = await ctx.store.createSetupLink({
      id: randomId('sul'),
      developerId: dev.id,
      tokenHash: hashSetupToken(token),
      label: parsed.data.label || null,
      createdBy: `api_key:${apiKeyHashFrom(request).slice(0, CREATED_BY_HASH_CHARS)}`,
      createdAt: iso(now),
      expiresAt: iso(now + parsed.data.expiresInHours * HOUR_MS),
      revokedAt: null,
    });
    ctx.audit.record({ developerId: dev.id, actor: apiKeyActor(request), action: 'setup_link.created', target: { type: 'setup_link', id: link.id } });
    const body: SetupLinkCreated = { id: link.id, token, expiresAt: link.expiresAt, label: link.label, createdAt: link.createdAt };
    return reply.code(201).send(body);
  });

  app.get('/v1/sso/setup-links', async (request) => {
    const dev = await authenticate(ctx.store, request);
    const now = ctx.now();
    const links = await ctx.store.listSetupLinks(dev.id, SETUP_LINK_USES_LISTED);
    const body: SetupLinkList = { setupLinks: links.map(({ link, uses }) => toWireLink(link, uses, now)) };
    return body;
  });

  app.delete<{ Params: { id: string } }>('/v1/sso/setup-links/:id', async (request, reply) => {
    const dev = await authenticate(ctx.store, request);
    const { id } = request.params;
    const revoked = id.length <= ID_MAX ? await ctx.store.revokeSetupLink(dev.id, id, iso(ctx.now())) : undefined;
    if (!revoked) throw notFound(SETUP_LINK_MESSAGES.notFound);
    ctx.audit.record({ developerId: dev.id, actor: apiKeyActor(request), action: 'setup_link.revoked', target: { type: 'setup_link', id } });
    return reply.code(204).send();
  });

  // What the landing page shows the link's holder before they say who they are; records nothing.
  app.get('/v1/sso/setup-links/preview', async (request) => toPreview(await authenticateSetupLink(ctx, request)));

  // The exchange: the IT admin says who they are and gets a setup session of their own (a new random token,
  // stored as its hash, with their name and email, ending with the link at the latest). The link stays a
  // multi-use invitation while it is valid: each redeem is its own use with its own session.
  app.post('/v1/sso/setup-links/session', async (request, reply) => {
    const link = await authenticateSetupLink(ctx, request);
    const parsed = setupLinkRedeemSchema.safeParse(request.body ?? {});
    if (!parsed.success) throw invalidRequest(parsed.error.issues);
    const userAgent = request.headers['user-agent'];
    const now = ctx.now();
    const sessionToken = generateSetupSessionToken();
    const session: SetupSession = {
      id: randomId('sus'),
      linkId: link.id,
      developerId: link.developerId,
      name: parsed.data.name,
      email: parsed.data.email,
      createdAt: iso(now),
      expiresAt: iso(Math.min(Date.parse(link.expiresAt), now + SETUP_SESSION_MAX_HOURS * HOUR_MS)),
    };
    const userAgentText = typeof userAgent === 'string' && userAgent ? userAgent.slice(0, USER_AGENT_MAX) : null;
    // Written only while the link is still usable: a revocation racing this redeem leaves nothing behind.
    if (!(await ctx.store.createSetupSession({ ...session, tokenHash: hashSetupToken(sessionToken) }, userAgentText))) throw unauthorized(SETUP_LINK_MESSAGES.invalid);
    // Who: the link, labelled with the name the IT admin gave (their email stays in the link's uses).
    ctx.audit.record({
      developerId: link.developerId,
      actor: { kind: 'setup_link', id: link.id, label: parsed.data.name },
      action: 'setup_link.used',
      target: { type: 'setup_link', id: link.id },
    });
    const body: SetupSessionCreated = { ...toWireSession({ session, link }), sessionToken };
    return reply.code(201).send(body);
  });

  // The console asks on every page of a setup session whether it is still good (no use recorded).
  app.get('/v1/sso/setup-links/session', async (request) => toWireSession(await authenticateSetupSession(ctx, request)));
}
