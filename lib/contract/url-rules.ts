/**
 * URL rules applied when an SSO config is saved (contract "URL rules (on save)").
 * Shared by the embedded service (authoritative) and the console form (early feedback),
 * so the two cannot drift apart. Pure: no DNS, no Node APIs; the outbound guard in
 * lib/net re-checks resolved addresses at fetch time.
 */
import ipaddr from 'ipaddr.js';
import { LIMITS } from './limits';
import type { FieldErrorCode } from './error-details';

export interface UrlRuleOptions {
  /** Development mode: plain http and private/loopback hosts are allowed for loopback IdPs. */
  devMode: boolean;
}

/** Address ranges that must never be reached from the server (ipaddr.js range names). */
const BLOCKED_RANGES = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'carrierGradeNat',
  'private',
  'reserved',
  'uniqueLocal',
  'ipv4Mapped',
  'rfc6145',
  'rfc6052',
  '6to4',
  'teredo',
  'benchmarking',
  'amt',
  'as112',
  'as112v6',
  'deprecated',
  'orchid2',
  'droneRemoteIdProtocolEntityTags',
  'discard',
]);

export type AddressClass = 'public' | 'loopback' | 'blocked';

/**
 * Classifies a literal IP address. IPv4-mapped IPv6 (::ffff:127.0.0.1) is unwrapped first,
 * so it cannot smuggle a loopback or private address past the check.
 */
export function classifyAddress(address: string): AddressClass {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
  } catch {
    return 'blocked';
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  if (range === 'loopback') return 'loopback';
  return BLOCKED_RANGES.has(range) ? 'blocked' : 'public';
}

const LOOPBACK_NAMES = new Set(['localhost']);

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return true;
  return ipaddr.isValid(host) && classifyAddress(host) === 'loopback';
}

/** A scheme followed by a colon, as an absolute URL starts (RFC 3986 §3.1). */
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const NOT_A_URL = 'must be an absolute URL, like https://idp.example.com';

const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

/**
 * Returns why `value` is not acceptable as an issuer URL / redirect URI, or null when it is.
 * Messages are user-facing ("must use https", not internal jargon).
 */
export function checkSsoUrl(value: string, kind: 'issuerUrl' | 'redirectUri', options: UrlRuleOptions): string | null {
  return checkSsoUrlIssue(value, kind, options)?.message ?? null;
}

/** The same check with a stable code per refusal (the service's structured field errors). */
export function checkSsoUrlIssue(
  value: string,
  kind: 'issuerUrl' | 'redirectUri',
  { devMode }: UrlRuleOptions,
): { code: FieldErrorCode; message: string } | null {
  const no = (code: FieldErrorCode, message: string) => ({ code, message });
  if (value.length === 0) return no('required', 'is required');
  if (value.length > LIMITS.urlMax) return no('too_long', `must be at most ${LIMITS.urlMax} characters`);
  // Something with no scheme at all ("not a url", "idp.example.com") is simply not a URL: say so,
  // rather than complaining about the spaces in it. Only URL-looking input gets the finer checks.
  if (!URL_SCHEME.test(value)) return no('invalid_url', NOT_A_URL);
  if (CONTROL_CHARS.test(value) || /\s/.test(value))
    return no('invalid_url', 'must not contain spaces or control characters');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return no('invalid_url', NOT_A_URL);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return no('https_required', 'must use https');
  if (!url.hostname) return no('invalid_url', 'must include a host name');
  if (url.username || url.password) return no('invalid_url', 'must not contain a user name or password');
  if (url.hash) return no('invalid_url', 'must not contain a #fragment');
  if (kind === 'issuerUrl' && url.search) return no('invalid_url', 'must not contain a ?query');

  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:') {
    if (!devMode) return no('https_required', 'must use https');
    if (!loopback)
      return no(
        'https_required',
        'must use https (plain http is allowed only for localhost or 127.0.0.1 in development)',
      );
  }
  if (kind === 'issuerUrl') {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (loopback && !devMode) return no('not_loopback', 'must not point to a loopback address');
    if (ipaddr.isValid(host) && classifyAddress(host) === 'blocked') {
      return no('blocked_address', 'must not point to a private, link-local or metadata address');
    }
  }
  return null;
}

// ---------------------------------------------------------------- per-connection redirect URIs

/**
 * The last path segment of a connection's own callback, `<consoleUrl>/sso/callback/<key>`: new connections use
 * their id. One segment of URL-safe characters, so it reads the same in a browser, in the console's route
 * parameter (no percent-decoding can change it) and at the IdP.
 */
export const CALLBACK_KEY_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export const SHARED_CALLBACK_PATH = '/sso/callback';

const trimTrailingSlashes = (value: string) => value.replace(/\/+$/, '');

/** The console's shared (legacy) callback, `<consoleUrl>/sso/callback`, used by every connection saved before per-connection URIs. */
export function sharedRedirectUri(consoleUrl: string): string {
  return `${trimTrailingSlashes(consoleUrl)}${SHARED_CALLBACK_PATH}`;
}

/** A connection's own callback at the console: `<consoleUrl>/sso/callback/<key>`. */
export function perConnectionRedirectUri(consoleUrl: string, key: string): string {
  return `${sharedRedirectUri(consoleUrl)}/${key}`;
}

/**
 * Where a redirect URI lands relative to the console:
 * - `shared`: exactly the shared legacy callback;
 * - `per_connection`: a connection's own callback (`key` is the last segment, `canonical` the URI spelled as
 *   `perConnectionRedirectUri` spells it, so two spellings of one URL — `HTTP://Console…`, a default port —
 *   are one URI);
 * - `malformed`: below `<consoleUrl>/sso/callback/` but not of the per-connection form (an empty or longer key,
 *   more segments, percent-encoding, a query or a fragment): a browser would reach some console route with it,
 *   so it is never accepted;
 * - `other`: anywhere else (an SDK user's own app), not the console's business.
 */
export type ConsoleRedirectUri =
  | { kind: 'shared' }
  | { kind: 'per_connection'; key: string; canonical: string }
  | { kind: 'malformed' }
  | { kind: 'other' };

export function classifyConsoleRedirectUri(consoleUrl: string, redirectUri: string): ConsoleRedirectUri {
  let base: URL;
  let url: URL;
  try {
    base = new URL(trimTrailingSlashes(consoleUrl));
    url = new URL(redirectUri);
  } catch {
    return { kind: 'other' };
  }
  if (url.origin !== base.origin) return { kind: 'other' };
  const sharedPath = `${trimTrailingSlashes(base.pathname)}${SHARED_CALLBACK_PATH}`;
  if (url.pathname === sharedPath && !url.search && !url.hash && !url.username && !url.password) {
    return { kind: 'shared' };
  }
  if (!url.pathname.startsWith(`${sharedPath}/`)) return { kind: 'other' };
  const key = url.pathname.slice(sharedPath.length + 1);
  // The parsed URL must spell exactly `<base>/sso/callback/<key>` with nothing around it.
  if (
    !CALLBACK_KEY_PATTERN.test(key) ||
    url.search ||
    url.hash ||
    url.username ||
    url.password ||
    redirectUri.includes('?') ||
    redirectUri.includes('#')
  ) {
    return { kind: 'malformed' };
  }
  return {
    kind: 'per_connection',
    key,
    canonical: perConnectionRedirectUri(base.origin + trimTrailingSlashes(base.pathname), key),
  };
}
