/**
 * What the domains section of a connection's page shows: each domain the connection lists, with its
 * verification state and the TXT record to publish (from Grantex's domain registry).
 */
import 'server-only';
import type { SsoDomain } from '@/lib/contract';

export interface ConnectionDomainView {
  domain: string;
  /** `unregistered`: listed on the connection (e.g. through the API) but never sent for verification. */
  status: 'verified' | 'pending' | 'unregistered';
  txtRecordName: string | null;
  txtRecordValue: string | null;
  verifiedAt: string | null;
  lastCheckedAt: string | null;
}

export function connectionDomainViews(listed: readonly string[], registry: readonly SsoDomain[]): ConnectionDomainView[] {
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
    };
  });
}
