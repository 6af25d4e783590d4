/** Bearer API-key authentication: the key is hashed and looked up; the key itself is never stored or logged. */
import type { FastifyRequest } from 'fastify';
import { MESSAGES } from '@/lib/contract';
import { hashApiKey } from '../crypto/api-keys';
import type { ServiceStore } from '../storage';
import type { ApiKeyHash, Developer } from '../storage/types';
import { unauthorized } from './api-error';

const BEARER = /^bearer ([^\s]{16,512})$/i;

/** The sha256 of the request's bearer key; a missing or malformed header is a 401. */
export function apiKeyHashFrom(request: FastifyRequest): ApiKeyHash {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match?.[1]) throw unauthorized(MESSAGES.missingAuth);
  return hashApiKey(match[1]);
}

export async function authenticate(store: ServiceStore, request: FastifyRequest): Promise<Developer> {
  const developer = await store.findDeveloperByKey(apiKeyHashFrom(request));
  if (!developer) throw unauthorized(MESSAGES.invalidKey);
  return developer;
}
