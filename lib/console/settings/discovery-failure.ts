/**
 * The ways an issuer's discovery can fail, as lib/net reports them, and which of them are about
 * reachability. Their sentences are in ../messages.ts (describeDiscoveryFailure).
 */

export const DISCOVERY_FAILURE_REASONS = [
  'unreachable',
  'timeout',
  'http_status',
  'redirect',
  'not_json',
  'too_large',
  'invalid_metadata',
  'issuer_mismatch',
  'missing_endpoints',
  'blocked_address',
  'discovery_url_as_issuer',
  'tenant_placeholder',
] as const;
export type DiscoveryFailureReason = (typeof DISCOVERY_FAILURE_REASONS)[number];

export interface DiscoveryFailure {
  reason: DiscoveryFailureReason | (string & {});
  message?: string;
  expected?: string;
  actual?: string;
  /** A corrected issuer the form may offer in one click (lib/net sets it only for slash/case slips). */
  suggestedIssuer?: string;
}

/**
 * Failures where the IdP may simply be invisible from this console but visible from Grantex
 * (a private network, a firewall): only these offer "save without checking". A document that
 * answered but is wrong (mismatch, not JSON, missing endpoints) would fail at Grantex too.
 */
const REACHABILITY_REASONS = new Set<string>(['unreachable', 'timeout', 'http_status', 'blocked_address']);

export function isReachabilityFailure(reason: string): boolean {
  return REACHABILITY_REASONS.has(reason);
}
