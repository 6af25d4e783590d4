/**
 * What the domains section of a connection's page shows: each domain the connection lists, with its
 * verification state and the TXT record to publish (from Grantex's domain registry), and the warning of a
 * verified domain whose daily re-check no longer finds the record (a hosted API without re-checks reports none).
 */
import 'server-only';
import { DOMAIN_RELEASE_AFTER_MS, type SsoDomain } from '@/lib/contract';

export interface ConnectionDomainView {
  domain: string;
  /** `unregistered`: listed on the connection (e.g. through the API) but never sent for verification. */
  status: 'verified' | 'pending' | 'unregistered';
  txtRecordName: string | null;
  txtRecordValue: string | null;
  verifiedAt: string | null;
  lastCheckedAt: string | null;
  /** A verified domain whose daily re-check has not found the record since then (null: found, or not reported). */
  failingSince: string | null;
  /** When it is released unless the record comes back (the service's date, else failingSince + 7 days). */
  releasesAt: string | null;
}

function releaseDate(entry: SsoDomain): string | null {
  if (!entry.failingSince) return null;
  if (entry.releasesAt) return entry.releasesAt;
  const at = Date.parse(entry.failingSince) + DOMAIN_RELEASE_AFTER_MS;
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

export function connectionDomainViews(
  listed: readonly string[],
  registry: readonly SsoDomain[],
): ConnectionDomainView[] {
  const byName = new Map(registry.map((d) => [d.domain, d]));
  return listed.map((domain) => {
    const entry = byName.get(domain);
    return {
      domain,
      status: !entry ? 'unregistered' : entry.verified ? 'verified' : 'pending',
      txtRecordName: entry?.txtRecordName ?? null,
      txtRecordValue: entry?.txtRecordValue ?? null,
      verifiedAt: entry?.verifiedAt ?? null,
      lastCheckedAt: entry?.lastCheckedAt ?? null,
      failingSince: entry?.verified ? (entry.failingSince ?? null) : null,
      releasesAt: entry?.verified ? releaseDate(entry) : null,
    };
  });
}
