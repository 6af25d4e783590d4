/** Bearer authentication: the credential is hashed and looked up; it is never stored or logged. */
import type { FastifyRequest } from 'fastify';
import { MESSAGES, SETUP_LINK_MESSAGES } from '@/lib/contract';
import { hashApiKey } from '../crypto/api-keys';
import { hashSetupToken, looksLikeSetupToken } from '../crypto/setup-tokens';
import type { ServiceStore } from '../storage';
import type { ApiKeyHash, Developer, SetupLinkWithOrg } from '../storage/types';
import { ApiError, unauthorized } from './api-error';

const BEARER = /^bearer ([^\s]{16,512})$/i;

/** The request's bearer credential; a missing or malformed header is a 401. */
function bearerFrom(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match?.[1]) throw unauthorized(MESSAGES.missingAuth);
  return match[1];
}

/** A valid credential on an endpoint that does not take it (a setup-link token outside its routes). */
const setupLinkNotAllowed = () => new ApiError(403, 'FORBIDDEN', SETUP_LINK_MESSAGES.notAllowed);

/**
 * The sha256 of the request's bearer key (API-key-only routes); a missing or malformed header is a 401, a
 * setup-link token a 403 that says what it is for (no lookup needed).
 */
export function apiKeyHashFrom(request: FastifyRequest): ApiKeyHash {
  const credential = bearerFrom(request);
  if (looksLikeSetupToken(credential)) throw setupLinkNotAllowed();
  return hashApiKey(credential);
}

/** API-key-only routes (see apiKeyHashFrom for a setup-link token). */
export async function authenticate(store: ServiceStore, request: FastifyRequest): Promise<Developer> {
  const developer = await store.findDeveloperByKey(apiKeyHashFrom(request));
  if (!developer) throw unauthorized(MESSAGES.invalidKey);
  return developer;
}

// ---------------------------------------------------------------- actors (setup links)

export type ActorKind = 'api_key' | 'setup_link';

/** Who is calling: the org's API key, or a setup link of the org. Routes authorize by `developerId`. */
export type Actor =
  | { kind: 'api_key'; developerId: string; developer: Developer }
  | { kind: 'setup_link'; developerId: string; linkId: string; expiresAt: string };

/**
 * THE allow-list of setup links: routes that configure and test an org's connections and domains pass this to
 * authenticateActor. Every other authenticated route calls `authenticate` (API key only).
 */
export const CONNECTION_ACTORS: readonly ActorKind[] = ['api_key', 'setup_link'];
/** Routes beside the connection routes that only the org's API key may call (deleting a connection). */
export const API_KEY_ONLY: readonly ActorKind[] = ['api_key'];

/** A setup link that can be used at `nowMs` (neither revoked nor expired). */
export function isSetupLinkUsable(link: { expiresAt: string; revokedAt: string | null }, nowMs: number): boolean {
  return link.revokedAt === null && Date.parse(link.expiresAt) > nowMs;
}

/**
 * The usable setup link behind the request's bearer token (one indexed read, on every request), or a 401 with
 * one message for unknown, expired and revoked tokens alike.
 */
export async function authenticateSetupLink(
  ctx: { store: ServiceStore; now: () => number },
  request: FastifyRequest,
): Promise<SetupLinkWithOrg> {
  const credential = bearerFrom(request);
  const link = looksLikeSetupToken(credential) ? await ctx.store.findSetupLinkByToken(hashSetupToken(credential)) : undefined;
  if (!link || !isSetupLinkUsable(link, ctx.now())) throw unauthorized(SETUP_LINK_MESSAGES.invalid);
  return link;
}

/**
 * Resolves the bearer credential to an actor of one of the `allowed` kinds: an API key, or (where allowed) a
 * setup-link token checked for expiry and revocation on this very request.
 */
export async function authenticateActor(
  ctx: { store: ServiceStore; now: () => number },
  request: FastifyRequest,
  allowed: readonly ActorKind[],
): Promise<Actor> {
  if (!looksLikeSetupToken(bearerFrom(request))) {
    const developer = await authenticate(ctx.store, request);
    return { kind: 'api_key', developerId: developer.id, developer };
  }
  if (!allowed.includes('setup_link')) throw setupLinkNotAllowed();
  const link = await authenticateSetupLink(ctx, request);
  return { kind: 'setup_link', developerId: link.developerId, linkId: link.id, expiresAt: link.expiresAt };
}
