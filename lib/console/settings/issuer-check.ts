/**
 * The settings form's issuer check: fetch the discovery document through the outbound guard
 * (no redirects, timeout, size cap, address checks) before the config is sent to Grantex.
 */
import 'server-only';
import { fetchDiscovery } from '@/lib/net';
import { describeDiscoveryFailure } from '../messages';
import { isReachabilityFailure } from './discovery-failure';

export type IssuerCheck =
  | { ok: true }
  | {
      ok: false;
      reason: string;
      message: string;
      reachability: boolean;
      /** An issuer that fixes a slip (trailing slash, letter case), to offer as "Use <issuer>". */
      suggestedIssuer?: string;
    };

export async function checkIssuer(issuerUrl: string, { devMode }: { devMode: boolean }): Promise<IssuerCheck> {
  const result = await fetchDiscovery(issuerUrl, { allowLoopback: devMode });
  if (result.ok) return { ok: true };
  return {
    ok: false,
    reason: result.reason,
    message: describeDiscoveryFailure(result),
    reachability: isReachabilityFailure(result.reason),
    ...(result.suggestedIssuer ? { suggestedIssuer: result.suggestedIssuer } : {}),
  };
}
