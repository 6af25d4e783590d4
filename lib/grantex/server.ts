import 'server-only';
import ipaddr from 'ipaddr.js';
import { CLIENT_ADDRESS_HEADER, CONSOLE_SECRET_HEADER } from '@/lib/contract/limits';
import { env } from '@/lib/env';
import type { HeaderSource } from '@/lib/rate-limit';
import { requesterAddress } from '@/lib/rate-limit/console-limits';
import { GrantexClient } from './client';
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

/**
 * The headers that name the member's address to the service. Every public call the console makes is on behalf
 * of a browser, but arrives from the console's own address; without these, the service's rate-limit buckets
 * would be "the console + org" and anyone could fill an org's bucket and lock its members out. Only with the
 * secret configured and a real IP address (never the 'unknown'/'invalid' placeholders).
 */
function memberAddressHeaders(from: HeaderSource): Record<string, string> | undefined {
  const secret = env().GRANTEX_CONSOLE_SECRET;
  if (!secret) return undefined;
  const address = requesterAddress(from);
  if (!ipaddr.isValid(address)) return undefined;
  return { [CLIENT_ADDRESS_HEADER]: address, [CONSOLE_SECRET_HEADER]: secret };
}

/**
 * A client for the public endpoints (signup, member login URL, chooser, callbacks, IdP error report, SAML ACS).
 * `from`: the headers of the browser's request this call is made for; its address travels to the service on
 * these calls only (never with an API key, see GrantexClientOptions.publicHeaders).
 */
export function grantexPublic(opts: { from: HeaderSource; requestId?: string; retries?: number }): GrantexClient {
  return new GrantexClient({
    baseUrl: env().GRANTEX_URL,
    timeoutMs: TIMEOUT_MS,
    retries: opts.retries ?? RETRIES,
    requestId: opts.requestId,
    publicHeaders: memberAddressHeaders(opts.from),
  });
}

/** Log fields for a Grantex failure: kind, status, code and request ID only — never a key. */
export function grantexLogFields(err: unknown): Record<string, unknown> {
  if (isGrantexError(err)) {
    return { kind: err.kind, status: err.status, code: err.code, requestId: err.requestId };
  }
  return { kind: 'unexpected', errorName: err instanceof Error ? err.name : typeof err };
}
