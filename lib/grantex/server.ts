import 'server-only';
import { env } from '@/lib/env';
import { GrantexClient } from './client';
import { grantexFailureText } from '@/lib/console/messages';
import { isGrantexError } from './errors';

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

/**
 * A user-facing sentence for any error thrown while talking to Grantex: what happened and what to do
 * (the text is in lib/console/messages.ts). The key is never part of it: GrantexError messages
 * never contain it, and nothing else is echoed.
 */
export function describeGrantexError(err: unknown): string {
  return grantexFailureText(isGrantexError(err) ? err : null, () => ({ production: env().isProduction, url: env().GRANTEX_URL }));
}

/** Log fields for a Grantex failure: kind, status, code and request ID only — never a key. */
export function grantexLogFields(err: unknown): Record<string, unknown> {
  if (isGrantexError(err)) {
    return { kind: err.kind, status: err.status, code: err.code, requestId: err.requestId };
  }
  return { kind: 'unexpected', errorName: err instanceof Error ? err.name : typeof err };
}
