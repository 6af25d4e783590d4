/**
 * The domains section's view of a connection's domains: the re-check warning fields of a verified domain whose
 * TXT record is no longer found, from a service that reports them and from a hosted API that does not.
 */
import { describe, expect, it } from 'vitest';
import type { SsoDomain } from '@/lib/contract';
import { DOMAIN_RECHECK_TEXT } from '@/lib/console/messages';
import { connectionDomainViews } from '@/lib/console/settings/connection-domains';

const base: SsoDomain = {
  domain: 'acme.example',
  verified: true,
  verifiedAt: '2026-03-01T00:00:00.000Z',
  txtRecordName: '_grantex-sso.acme.example',
  txtRecordValue: 'grantex-sso-verification=abc',
  createdAt: '2026-03-01T00:00:00.000Z',
  lastCheckedAt: '2026-03-05T00:00:00.000Z',
};

describe('connectionDomainViews: the daily re-check warning', () => {
  it('a verified domain failing its re-check carries when it started failing and when it is released', () => {
    const [view] = connectionDomainViews(
      ['acme.example'],
      [{ ...base, failingSince: '2026-03-05T00:00:00.000Z', releasesAt: '2026-03-12T00:00:00.000Z' }],
    );
    expect(view).toMatchObject({
      status: 'verified',
      failingSince: '2026-03-05T00:00:00.000Z',
      releasesAt: '2026-03-12T00:00:00.000Z',
    });
  });

  it('without releasesAt on the wire, the release date is failingSince + 7 days', () => {
    const [view] = connectionDomainViews(['acme.example'], [{ ...base, failingSince: '2026-03-05T10:00:00.000Z' }]);
    expect(view?.releasesAt).toBe('2026-03-12T10:00:00.000Z');
  });

  it('a hosted API without re-checks (no fields), a found record, and an unverified domain show no warning', () => {
    const views = connectionDomainViews(
      ['acme.example', 'found.example', 'pending.example'],
      [
        base,
        { ...base, domain: 'found.example', failingSince: null, releasesAt: null },
        {
          ...base,
          domain: 'pending.example',
          verified: false,
          verifiedAt: null,
          failingSince: '2026-03-05T00:00:00.000Z',
        },
      ],
    );
    expect(views.map((v) => [v.failingSince, v.releasesAt])).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
  });

  it('the warning names both dates', () => {
    expect(DOMAIN_RECHECK_TEXT.failing('5 Mar 2026, 00:00 UTC', '12 Mar 2026, 00:00 UTC')).toMatch(
      /^The TXT record was not found on 5 Mar 2026, 00:00 UTC; the domain will be released on 12 Mar 2026, 00:00 UTC unless it is restored\./,
    );
  });
});
