/**
 * The address a request's rate-limit buckets are keyed on.
 *
 * The console calls the public endpoints (login URL, chooser, callbacks, SAML ACS, signup) on behalf of members'
 * browsers, so by the socket every member behind one console is one address. The console therefore names the
 * member's address in X-Grantex-Client-Address and proves it is the console with X-Grantex-Console-Secret
 * (GRANTEX_CONSOLE_SECRET, shared by the two). The header is believed only with that secret, compared in
 * constant time; from anyone else it is ignored and the socket address (or X-Forwarded-For from
 * TRUSTED_PROXIES, Fastify's `request.ip`) is used: a client cannot pick its bucket, or someone else's.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { CLIENT_ADDRESS_HEADER, CONSOLE_SECRET_HEADER } from '@/lib/contract/limits';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The address clientAddress worked out (or the console named), once per request. A declared property rather
     * than a WeakMap keyed by the request: an entry per request was a visible share of a config save's CPU.
     */
    clientAddressValue: string | null;
  }
}

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const PLAIN_IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/** One spelling per address (IPv4-mapped IPv6 is its IPv4), or null for anything that is not an IP address. */
export function normalizeAddress(raw: string): string | null {
  // Dotted-quad IPv4 without leading zeros is already its normal spelling (the common case, asked on every
  // rate-limited or audited request); anything else goes through ipaddr.js.
  if (PLAIN_IPV4.test(raw)) return raw;
  const value = raw.trim();
  if (value.length === 0 || value.length > 64 || !ipaddr.isValid(value)) return null;
  return ipaddr.process(value).toNormalizedString();
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Believes a console-named address in `onRequest` (before any rate limit runs). Requests without the header —
 * every API call, every direct client — cost one property read here; their address is worked out only when a
 * rate limit asks for it (clientAddress).
 */
export function registerClientAddress(app: FastifyInstance, consoleSecret: string | undefined): void {
  // Hashing both sides gives equal-length buffers, so timingSafeEqual's time says nothing about the secret.
  const expected = consoleSecret ? digest(consoleSecret) : null;
  app.decorateRequest('clientAddressValue', null);
  app.addHook('onRequest', (request, _reply, done) => {
    const proof = request.headers[CONSOLE_SECRET_HEADER];
    const named = request.headers[CLIENT_ADDRESS_HEADER];
    if (proof !== undefined || named !== undefined) {
      // Dropped from the request so no later code (a log line, an error report) can ever echo the secret.
      delete request.headers[CONSOLE_SECRET_HEADER];
      delete request.headers[CLIENT_ADDRESS_HEADER];
      if (
        expected &&
        typeof named === 'string' &&
        typeof proof === 'string' &&
        timingSafeEqual(digest(proof), expected)
      ) {
        const address = normalizeAddress(named);
        if (address !== null) request.clientAddressValue = address;
      }
    }
    done();
  });
}

/** The request's client address for rate limiting (see the file comment), worked out once per request. */
export function clientAddress(request: FastifyRequest): string {
  let address = request.clientAddressValue;
  if (address === null) {
    address = normalizeAddress(request.ip) ?? request.ip;
    request.clientAddressValue = address;
  }
  return address;
}
