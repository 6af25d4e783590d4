/**
 * URL rules applied when an SSO config is saved (contract "URL rules (on save)").
 * Shared by the embedded service (authoritative) and the console form (early feedback),
 * so the two cannot drift apart. Pure: no DNS, no Node APIs; the outbound guard in
 * lib/net re-checks resolved addresses at fetch time.
 */
import ipaddr from 'ipaddr.js';
import { LIMITS } from './limits';

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
export function checkSsoUrl(
  value: string,
  kind: 'issuerUrl' | 'redirectUri',
  { devMode }: UrlRuleOptions,
): string | null {
  if (value.length === 0) return 'is required';
  if (value.length > LIMITS.urlMax) return `must be at most ${LIMITS.urlMax} characters`;
  // Something with no scheme at all ("not a url", "idp.example.com") is simply not a URL: say so,
  // rather than complaining about the spaces in it. Only URL-looking input gets the finer checks.
  if (!URL_SCHEME.test(value)) return NOT_A_URL;
  if (CONTROL_CHARS.test(value) || /\s/.test(value)) return 'must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return NOT_A_URL;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https';
  if (!url.hostname) return 'must include a host name';
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.hash) return 'must not contain a #fragment';
  if (kind === 'issuerUrl' && url.search) return 'must not contain a ?query';

  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:') {
    if (!devMode) return 'must use https';
    if (!loopback) return 'must use https (plain http is allowed only for localhost or 127.0.0.1 in development)';
  }
  if (kind === 'issuerUrl') {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (loopback && !devMode) return 'must not point to a loopback address';
    if (ipaddr.isValid(host) && classifyAddress(host) === 'blocked') {
      return 'must not point to a private, link-local or metadata address';
    }
  }
  return null;
}
