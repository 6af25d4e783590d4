import 'server-only';
import { env } from '@/lib/env';
import { GrantexClient } from './client';
import { isGrantexError, type GrantexError } from './errors';

/**
 * How the console builds Grantex clients. Pages and actions never construct one themselves,
 * so the base URL, timeout and retry policy are decided in one place.
 */

/** Interactive requests: a user is waiting, so give up well before a browser would. */
const TIMEOUT_MS = 10_000;
const RETRIES = 1;

export interface AdminCredentials {
  apiKey: string;
}

/** A client authenticated with the signed-in admin's API key. */
export function grantexForAdmin(admin: AdminCredentials, opts: { requestId?: string } = {}): GrantexClient {
  return new GrantexClient({
    baseUrl: env().GRANTEX_URL,
    apiKey: admin.apiKey,
    timeoutMs: TIMEOUT_MS,
    retries: RETRIES,
    requestId: opts.requestId,
  });
}

/** A client for the public endpoints (signup, member login, callback). */
export function grantexPublic(opts: { requestId?: string; retries?: number } = {}): GrantexClient {
  return new GrantexClient({
    baseUrl: env().GRANTEX_URL,
    timeoutMs: TIMEOUT_MS,
    retries: opts.retries ?? RETRIES,
    requestId: opts.requestId,
  });
}

function withRequestId(text: string, err: GrantexError): string {
  return err.requestId ? `${text} (request ID ${err.requestId})` : text;
}

function ensureSentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * A user-facing sentence for any error thrown while talking to Grantex: what happened and what to do.
 * The key is never part of it (GrantexError messages never contain it, and nothing else is echoed).
 * Unknown errors get a generic sentence: their message may carry internals.
 */
export function describeGrantexError(err: unknown): string {
  if (!isGrantexError(err)) {
    return 'Something went wrong in the console. Try again; if it keeps happening, check the server logs.';
  }
  switch (err.kind) {
    case 'unauthorized':
      return withRequestId('Grantex no longer accepts this API key. Sign out and sign in again with a valid key.', err);
    case 'rate_limited': {
      const wait = err.retryAfterSeconds ? `in ${err.retryAfterSeconds} seconds` : 'in a minute';
      return withRequestId(`Grantex is receiving too many requests. Try again ${wait}.`, err);
    }
    case 'network':
      // The service address helps a developer; in production it would only tell visitors about internal hosts.
      return env().isProduction
        ? 'Grantex could not be reached. Try again in a moment; if it keeps happening, tell your console administrator.'
        : `Grantex could not be reached at ${env().GRANTEX_URL}. Check that the service is running and GRANTEX_URL is correct, then try again.`;
    case 'timeout':
      return withRequestId('Grantex did not answer in time. Try again in a moment.', err);
    case 'server':
      return withRequestId('Grantex had an internal problem. Try again in a moment; if it persists, contact Grantex support with the request ID.', err);
    case 'invalid_response':
      return env().isProduction
        ? withRequestId('Grantex sent an answer the console does not understand. Try again later.', err)
        : withRequestId(`The service at ${env().GRANTEX_URL} did not answer like Grantex. Check GRANTEX_URL.`, err);
    case 'validation':
    case 'conflict':
    case 'not_found':
    case 'sso':
      // These carry the server's own user-facing message (contract: safe to show).
      return withRequestId(ensureSentence(err.message), err);
  }
}

/** Log fields for a Grantex failure: kind, status, code and request ID only — never a key. */
export function grantexLogFields(err: unknown): Record<string, unknown> {
  if (isGrantexError(err)) {
    return { kind: err.kind, status: err.status, code: err.code, requestId: err.requestId };
  }
  return { kind: 'unexpected', errorName: err instanceof Error ? err.name : typeof err };
}
