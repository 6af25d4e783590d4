/**
 * One user-facing sentence per way an issuer's discovery can fail. Kept apart from the fetch so
 * it is pure and unit-testable. Values that came from the IdP (its claimed issuer) are capped;
 * React escapes them where they are rendered.
 */
import { displayText } from '../utils/display-text';

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

export function describeDiscoveryFailure(failure: DiscoveryFailure): string {
  switch (failure.reason) {
    case 'unreachable':
      return 'Could not reach the issuer’s discovery document (/.well-known/openid-configuration). Check the URL, and that the identity provider is reachable from this console.';
    case 'timeout':
      return 'The issuer did not answer in time. Check the URL, or try again in a moment.';
    case 'http_status':
      return `The issuer's discovery document answered with HTTP ${displayText(failure.actual ?? 'an error', 20)} instead of 200. Check the URL.`;
    case 'redirect':
      return 'The discovery URL redirects somewhere else. Enter the issuer exactly as your identity provider publishes it (redirects are not followed).';
    case 'not_json':
      return 'The issuer answered, but its discovery document is not JSON. Is this the issuer URL and not a login page?';
    case 'too_large':
      return 'The issuer’s discovery document is too large to be a real OpenID Connect configuration.';
    case 'invalid_metadata':
      return 'The issuer’s discovery document is not valid OpenID Connect metadata.';
    case 'issuer_mismatch': {
      // lib/net reports `expected` = what the IdP's document declares, `actual` = what was entered.
      const declared = displayText(failure.expected ?? '', 300);
      const entered = displayText(failure.actual ?? '', 300);
      if (failure.suggestedIssuer) {
        return `The identity provider’s issuer is “${declared}”, but you entered “${entered}”: they differ only by a trailing slash or letter case, and must match exactly.`;
      }
      return `The identity provider says its issuer is “${declared}”, but you entered “${entered}”. They must match exactly, including any trailing slash: use “${declared}”.`;
    }
    case 'tenant_placeholder':
      // `expected` is the tenant-specific shape, e.g. https://login.microsoftonline.com/<your tenant ID>/v2.0.
      return `This is Microsoft Entra ID’s multi-tenant address (common, organizations or consumers), which has no single issuer. Use your tenant’s own issuer: ${displayText(failure.expected ?? 'https://login.microsoftonline.com/<your tenant ID>/v2.0', 300)} — the tenant ID is on the Overview page of the Microsoft Entra admin center.`;
    case 'discovery_url_as_issuer':
      return `That is the address of the discovery document, not the issuer. Enter the issuer without /.well-known/openid-configuration: “${displayText(failure.expected ?? '', 300)}”.`;
    case 'missing_endpoints':
      return 'The issuer’s discovery document lacks an authorization endpoint, token endpoint or JWKS URI.';
    case 'blocked_address':
      return 'The issuer resolves to a private, loopback or metadata address, which this console does not contact.';
    default:
      return 'The issuer could not be checked.';
  }
}
