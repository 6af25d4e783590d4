/**
 * Server-side fetch for URLs that a user (or an identity provider) controls: discovery documents,
 * JWKS and token endpoints. It returns a standard `Response` so it can be plugged into
 * openid-client's `customFetch`, but unlike plain fetch it
 *  - refuses non-public addresses AFTER DNS resolution (and literal IPs before connecting),
 *  - never follows redirects (a 3xx comes back as-is; callers treat it as a failure),
 *  - bounds the whole exchange (connect + headers + body) by one timeout,
 *  - buffers at most `maxBytes` of body and aborts the transfer beyond that.
 */
import { Agent, fetch as undiciFetch } from 'undici';
import { blockedAddressError, guardedLookup, isAddressAllowed, literalAddress } from './address-policy';
import { describeUrl, findOutboundError, OutboundError } from './outbound-error';
import { readCapped } from './read-capped';

export interface GuardOptions {
  /** Allow loopback addresses (development IdPs on 127.0.0.1 / localhost). */
  allowLoopback: boolean;
  /** One deadline for connect, headers and body. Default 5000 ms. */
  timeoutMs?: number;
  /** Largest body buffered. Default 1 MiB. */
  maxBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_BYTES = 1024 * 1024;

// One agent per loopback policy, so pooled keep-alive connections are only ever reused under
// the policy that vetted them.
const agents = new Map<boolean, Agent>();
function agentFor(allowLoopback: boolean): Agent {
  let agent = agents.get(allowLoopback);
  if (!agent) {
    agent = new Agent({
      connect: { lookup: guardedLookup(allowLoopback) },
      keepAliveTimeout: 10_000,
    });
    agents.set(allowLoopback, agent);
  }
  return agent;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function parseTarget(input: string | URL, allowLoopback: boolean): URL {
  let url: URL;
  try {
    url = typeof input === 'string' ? new URL(input) : new URL(input.href);
  } catch {
    throw new OutboundError('bad_url', 'The URL is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OutboundError('bad_url', `Only http and https URLs can be fetched, not ${url.protocol}`);
  }
  const literal = literalAddress(url.hostname);
  if (literal && !isAddressAllowed(literal, allowLoopback)) throw blockedAddressError(url.hostname);
  return url;
}

export async function guardedFetch(
  input: string | URL,
  init: RequestInit | undefined,
  opts: GuardOptions,
): Promise<Response> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const url = parseTarget(input, opts.allowLoopback);
  const where = describeUrl(url);

  // One signal for the exchange: this call's own timeout, the caller's signal (e.g. a sign-in's deadline, see
  // deadline.ts) and our own abort (a capped body must stop streaming); whichever ends first stops the transfer.
  const controller = new AbortController();
  const timeout = AbortSignal.timeout(timeoutMs);
  const callerSignal = init?.signal ?? undefined;
  const signal = AbortSignal.any(
    callerSignal ? [controller.signal, timeout, callerSignal] : [controller.signal, timeout],
  );

  try {
    const res = await undiciFetch(url, {
      method: init?.method,
      headers: [...new Headers(init?.headers)],
      body: init?.body as string | URLSearchParams | Uint8Array | null | undefined,
      redirect: 'manual',
      signal,
      dispatcher: agentFor(opts.allowLoopback),
    });
    const body = NULL_BODY_STATUSES.has(res.status)
      ? null
      : await readCapped(res.body as ReadableStream<Uint8Array> | null, maxBytes, res.headers.get('content-length'));
    if (body === 'too_large') {
      throw new OutboundError('too_large', `The response from ${where} is larger than ${maxBytes} bytes`);
    }
    // Re-wrap in the global Response: callers (openid-client) check the global class, and the
    // buffered body can no longer grow.
    return new Response(body as BodyInit | null, {
      status: res.status,
      statusText: res.statusText,
      headers: [...res.headers],
    });
  } catch (err) {
    // Whatever went wrong, make sure the transfer stops (a capped body must not keep streaming).
    controller.abort();
    const known = findOutboundError(err);
    if (known) throw known;
    // The first signal to end decides: our timeout, or the caller's (its reason, e.g. DeadlineExceededError).
    if (timeout.aborted && signal.reason === timeout.reason) {
      throw new OutboundError('timeout', `${where} did not answer within ${formatSeconds(timeoutMs)}`);
    }
    if (callerSignal?.aborted) throw callerSignal.reason instanceof Error ? callerSignal.reason : err;
    throw new OutboundError('network', `Could not reach ${where}`, { cause: err });
  }
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
