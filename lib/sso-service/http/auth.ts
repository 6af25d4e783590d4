/** Bearer authentication: the credential is hashed and looked up; it is never stored or logged. */
import type { FastifyRequest } from 'fastify';
import { CONSOLE_ACCESS_MESSAGES, MESSAGES, roleAtLeast, SETUP_LINK_MESSAGES } from '@/lib/contract';
import { hashApiKey } from '../crypto/api-keys';
import { hashConsoleSecret, looksLikeConsoleToken } from '../crypto/console-tokens';
import { roleForRoute } from '../features/console-access/permissions';
import type { ConsoleSession } from '../features/console-access/store';
import { hashSetupToken, looksLikeSetupSessionToken, looksLikeSetupToken } from '../crypto/setup-tokens';
import type { ServiceStore } from '../storage';
import type { ApiKeyHash, Developer, SetupLinkWithOrg, SetupSessionWithLink } from '../storage/types';
import { ApiError, unauthorized } from './api-error';

const BEARER = /^bearer ([^\s]{16,512})$/i;

/** The credential of a well-formed `Bearer` Authorization header, else undefined. */
const bearerOf = (header: string | undefined): string | undefined =>
  header === undefined ? undefined : BEARER.exec(header)?.[1];

/** The request's bearer credential; a missing or malformed header is a 401. */
function bearerFrom(request: FastifyRequest): string {
  const credential = bearerOf(request.headers.authorization);
  if (!credential) throw unauthorized(MESSAGES.missingAuth);
  return credential;
}

/**
 * The bearer of an Authorization header when it can only be an API key (well-formed, and neither a console nor a
 * setup credential); null otherwise. For a route that answers API keys without Fastify (the config read's fast
 * path): anything else goes the ordinary way and gets its ordinary answer.
 */
export function plainApiKeyBearer(header: string | undefined): string | null {
  const credential = bearerOf(header);
  return credential !== undefined && notAnApiKey(credential) === null ? credential : null;
}

/** Whether the request's bearer is a console session token (no lookup). */
export function looksLikeConsoleBearer(request: FastifyRequest): boolean {
  const credential = bearerOf(request.headers.authorization);
  return credential !== undefined && looksLikeConsoleToken(credential);
}

/** A setup-session token on an endpoint that does not take it (outside the allow-list). */
const setupLinkNotAllowed = () => new ApiError(403, 'FORBIDDEN', SETUP_LINK_MESSAGES.notAllowed);

/**
 * A setup LINK's token anywhere but its two redeem endpoints. Answered from the prefix alone, before any lookup,
 * so a valid, used, expired, revoked or made-up link token all get this very answer: holding a link (from a mail
 * log, a proxy, a browser history) gives API access only through a redeem, which the link's uses record.
 */
const linkTokenNotAccepted = () => new ApiError(403, 'FORBIDDEN', SETUP_LINK_MESSAGES.linkTokenNotAccepted);

/** The refusal for a credential that is recognisably not an API key (by its prefix, no lookup), else null. */
function notAnApiKey(credential: string): ApiError | null {
  // A console session is never an API key (its routes go through authenticate, which knows it).
  if (looksLikeConsoleToken(credential)) return unauthorized(MESSAGES.invalidKey);
  if (looksLikeSetupToken(credential)) return linkTokenNotAccepted();
  if (looksLikeSetupSessionToken(credential)) return setupLinkNotAllowed();
  return null;
}

/**
 * The sha256 of the request's bearer key (API-key-only routes); a missing or malformed header is a 401, a
 * setup credential a 403 that says what it is for (no lookup needed).
 */
export function apiKeyHashFrom(request: FastifyRequest): ApiKeyHash {
  const credential = bearerFrom(request);
  const refused = notAnApiKey(credential);
  if (refused) throw refused;
  // Asked twice per write (authentication, then the audit actor): hashed once per request and credential.
  const known = request.apiKeyHashed;
  if (known?.credential === credential) return known.hash;
  const hash = hashApiKey(credential);
  request.apiKeyHashed = { credential, hash };
  return hash;
}

/**
 * The org's API key or (where the route table lets its role in) a console session; setup credentials are refused
 * (see apiKeyHashFrom).
 */
export async function authenticate(ctx: AuthContext, request: FastifyRequest): Promise<Developer> {
  const credential = bearerFrom(request);
  if (looksLikeConsoleToken(credential)) return (await authenticateConsoleSession(ctx, request, credential)).developer;
  const developer = await ctx.store.findDeveloperByKey(apiKeyHashFrom(request));
  if (!developer) throw unauthorized(MESSAGES.invalidKey);
  return developer;
}

/** A console session's role is below what the route needs (or the route takes no console session at all). */
export const consoleRoleRefused = (message: string) =>
  new ApiError(403, 'FORBIDDEN', message, 'forbidden', [{ code: 'console_role_required', message }]);

/** A console session that still opens the console: not revoked, not expired. */
const consoleSessionLive = (session: ConsoleSession, nowMs: number) =>
  session.revokedAt === null && Date.parse(session.expiresAt) > nowMs;

/**
 * The live console session behind a `gxc_` bearer token (one indexed read joining its org, on every request),
 * checked against the route table (features/console-access/permissions.ts): a revoked, expired or unknown token
 * is a 401 (one message), a role below the route's a 403 naming the role needed, a route not in the table a 403.
 */
async function authenticateConsoleSession(
  ctx: AuthContext,
  request: FastifyRequest,
  credential: string,
): Promise<{ developer: Developer; session: ConsoleSession }> {
  const found = await ctx.store.findConsoleSessionByToken(hashConsoleSecret(credential));
  if (!found || !consoleSessionLive(found.session, ctx.now()))
    throw unauthorized(CONSOLE_ACCESS_MESSAGES.consoleSessionInvalid);
  const { session } = found;
  const needed = roleForRoute(request.method, request.routeOptions.url);
  if (needed === undefined) throw consoleRoleRefused(CONSOLE_ACCESS_MESSAGES.consoleSessionNotAccepted);
  if (!roleAtLeast(session.role, needed))
    throw consoleRoleRefused(CONSOLE_ACCESS_MESSAGES.roleRequired(needed, session.role));
  request.consoleSession = session;
  return found;
}

// ---------------------------------------------------------------- actors (setup links)

export type ActorKind = 'api_key' | 'setup_link' | 'console_session';

/**
 * Who is calling: the org's API key, or a setup session of the org (`name`: who redeemed the link). Routes
 * authorize by `developerId`.
 */
export type Actor =
  | { kind: 'api_key'; developerId: string; developer: Developer }
  | { kind: 'console_session'; developerId: string; developer: Developer; session: ConsoleSession }
  | { kind: 'setup_link'; developerId: string; linkId: string; sessionId: string; name: string; expiresAt: string };

/**
 * THE allow-list of setup sessions: routes that configure and test an org's connections and domains pass this to
 * authenticateActor. Every other authenticated route calls `authenticate` (API key, or a console session the
 * route table admits). Console sessions are admitted by the route table (features/console-access/permissions.ts),
 * not by these lists.
 */
export const CONNECTION_ACTORS: readonly ActorKind[] = ['api_key', 'setup_link'];
/** Routes beside the connection routes that only the org's API key may call (deleting a connection). */
export const API_KEY_ONLY: readonly ActorKind[] = ['api_key'];

/** A setup link that can be used at `nowMs` (neither revoked nor expired). */
export function isSetupLinkUsable(link: { expiresAt: string; revokedAt: string | null }, nowMs: number): boolean {
  return link.revokedAt === null && Date.parse(link.expiresAt) > nowMs;
}

type AuthContext = { store: ServiceStore; now: () => number };

/**
 * The redeem endpoints only: the usable setup link behind the request's bearer LINK token (one indexed read), or
 * a 401 with one message for unknown, expired and revoked links alike (and for any other credential).
 */
export async function authenticateSetupLink(ctx: AuthContext, request: FastifyRequest): Promise<SetupLinkWithOrg> {
  const credential = bearerFrom(request);
  const link = looksLikeSetupToken(credential)
    ? await ctx.store.findSetupLinkByToken(hashSetupToken(credential))
    : undefined;
  if (!link || !isSetupLinkUsable(link, ctx.now())) throw unauthorized(SETUP_LINK_MESSAGES.invalid);
  return link;
}

/**
 * The usable setup session behind the request's bearer SESSION token (one indexed read joining its link, on
 * every request): the session must be unexpired and its link unrevoked and unexpired. Otherwise the same 401 as
 * a dead link; a link token is refused before any lookup.
 */
export async function authenticateSetupSession(
  ctx: AuthContext,
  request: FastifyRequest,
): Promise<SetupSessionWithLink> {
  const credential = bearerFrom(request);
  if (looksLikeSetupToken(credential)) throw linkTokenNotAccepted();
  const found = looksLikeSetupSessionToken(credential)
    ? await ctx.store.findSetupSessionByToken(hashSetupToken(credential))
    : undefined;
  const nowMs = ctx.now();
  if (!found || !isSetupLinkUsable(found.link, nowMs) || Date.parse(found.session.expiresAt) <= nowMs) {
    throw unauthorized(SETUP_LINK_MESSAGES.invalid);
  }
  return found;
}

/**
 * Resolves the bearer credential to an actor of one of the `allowed` kinds: an API key, or (where allowed) a
 * setup session checked for expiry and its link's revocation on this very request. A link token is never one.
 */
export async function authenticateActor(
  ctx: AuthContext,
  request: FastifyRequest,
  allowed: readonly ActorKind[],
): Promise<Actor> {
  const credential = bearerFrom(request);
  if (looksLikeSetupToken(credential)) throw linkTokenNotAccepted();
  if (looksLikeConsoleToken(credential)) {
    const { developer, session } = await authenticateConsoleSession(ctx, request, credential);
    return { kind: 'console_session', developerId: developer.id, developer, session };
  }
  if (!looksLikeSetupSessionToken(credential)) {
    const developer = await authenticate(ctx, request);
    return { kind: 'api_key', developerId: developer.id, developer };
  }
  if (!allowed.includes('setup_link')) throw setupLinkNotAllowed();
  const { session, link } = await authenticateSetupSession(ctx, request);
  return {
    kind: 'setup_link',
    developerId: link.developerId,
    linkId: link.id,
    sessionId: session.id,
    name: session.name,
    expiresAt: session.expiresAt,
  };
}

// ---------------------------------------------------------------- route hooks

declare module 'fastify' {
  interface FastifyRequest {
    /** The calling org (API-key routes), set by requireDeveloper. */
    developer: Developer | null;
    /** The caller (connection routes: API key or setup session), set by requireActor. */
    actor: Actor | null;
    /** The console session the request was authenticated with (null: an API key or setup credential). */
    consoleSession: ConsoleSession | null;
    /**
     * apiKeyHashFrom's answer for this request. Kept on the request (a declared property) rather than in a
     * WeakMap keyed by it: a WeakMap entry per request was a visible share of a config save's CPU.
     */
    apiKeyHashed: { credential: string; hash: ApiKeyHash } | null;
  }
}

/**
 * Authentication as a `preValidation` hook: it runs after the body is parsed and before the route's schema is
 * checked, so a request without a valid credential gets its 401/403, never a 400 about its body.
 */
export function requireDeveloper(ctx: AuthContext) {
  return async (request: FastifyRequest): Promise<void> => {
    request.developer = await authenticate(ctx, request);
  };
}

/**
 * Asks again, later, whether the credential that authenticated `request` (through requireDeveloper) still holds:
 * for a response that outlives its authentication, the event stream. A console session must still be live (not
 * revoked, not expired); an API key must still exist for the same org.
 */
export function credentialStillValid(ctx: AuthContext, request: FastifyRequest): () => Promise<boolean> {
  const developerId = developerOf(request).id;
  const credential = bearerFrom(request);
  if (looksLikeConsoleToken(credential)) {
    const tokenHash = hashConsoleSecret(credential);
    return async () => {
      const found = await ctx.store.findConsoleSessionByToken(tokenHash);
      return found !== undefined && found.developer.id === developerId && consoleSessionLive(found.session, ctx.now());
    };
  }
  const keyHash = apiKeyHashFrom(request);
  return async () => (await ctx.store.findDeveloperByKey(keyHash))?.id === developerId;
}

export function requireActor(ctx: AuthContext, allowed: readonly ActorKind[]) {
  return async (request: FastifyRequest): Promise<void> => {
    request.actor = await authenticateActor(ctx, request, allowed);
  };
}

/** The developer requireDeveloper found (a route without the hook is a programming error). */
export function developerOf(request: FastifyRequest): Developer {
  if (!request.developer) throw new Error('route registered without requireDeveloper');
  return request.developer;
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('route registered without requireActor');
  return request.actor;
}
