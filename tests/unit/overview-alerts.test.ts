/**
 * The overview's alert rules and series: a SAML certificate within 30 days (or past), a verified domain failing
 * its re-check, a spike of failures (> 50 % of ≥ 10 attempts in the last hour), an extra rule supplied by a
 * feature; and the chart's series with every bucket of the period.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionStats, SignInStats, SsoConnection, SsoDomain } from '@/lib/contract';
import {
  chartFailures,
  chartReasons,
  collectAlerts,
  connectionHealth,
  readPeriod,
  seriesOf,
  type AlertInput,
} from '@/lib/console/overview';

const NOW = Date.parse('2026-06-15T12:30:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

function saml(id: string, name: string, notAfters: number[], domains: string[] = []): SsoConnection {
  return {
    id,
    name,
    protocol: 'saml',
    domains,
    idpCertificates: notAfters.map((ms, i) => ({
      fingerprintSha256: `fp${i}`,
      notAfter: iso(ms),
      status: ms <= NOW ? 'expired' : ms - NOW <= 30 * DAY ? 'expiring' : 'ok',
    })),
  } as unknown as SsoConnection;
}

function oidc(id: string, name: string, domains: string[] = []): SsoConnection {
  return { id, name, protocol: 'oidc', domains } as unknown as SsoConnection;
}

function domain(name: string, verified: boolean, failingSince: string | null = null): SsoDomain {
  return {
    domain: name,
    verified,
    verifiedAt: verified ? iso(NOW - 10 * DAY) : null,
    txtRecordName: `_grantex.${name}`,
    txtRecordValue: 'grantex-verify=x',
    createdAt: iso(NOW - 20 * DAY),
    lastCheckedAt: null,
    failingSince,
    releasesAt: failingSince ? iso(NOW + 5 * DAY) : null,
  };
}

function connStats(connectionId: string, lastHour: { success: number; failure: number }): ConnectionStats {
  return { connectionId, success: 0, failure: 0, lastHour, lastSuccessAt: null, lastFailureAt: null };
}

function stats(connections: ConnectionStats[], buckets: SignInStats['buckets'] = []): SignInStats {
  return {
    period: '24h',
    bucketSize: 'hour',
    from: '2026-06-14T13:00:00.000Z',
    to: iso(NOW),
    buckets,
    connections,
  };
}

const input = (over: Partial<AlertInput>): AlertInput => ({
  nowMs: NOW,
  connections: [],
  domains: [],
  stats: null,
  ...over,
});

describe('certificate alerts', () => {
  it('warn within 30 days, error once expired, nothing when a later certificate is there to roll over to', () => {
    const alerts = collectAlerts(
      input({
        connections: [
          saml('c1', 'Okta', [NOW + 10 * DAY]),
          saml('c2', 'Entra', [NOW - DAY]),
          saml('c3', 'Rotated', [NOW + 5 * DAY, NOW + 300 * DAY]),
          saml('c4', 'Fine', [NOW + 31 * DAY]),
          oidc('c5', 'Google'),
        ],
      }),
    );
    expect(alerts.map((a) => [a.kind, a.severity, a.href])).toEqual([
      ['certificate_expired', 'error', '/settings/sso/c2'],
      ['certificate_expiring', 'warning', '/settings/sso/c1'],
    ]);
    expect(alerts[1]?.title).toBe('Okta: the identity provider’s certificate expires in 10 days (2026-06-25)');
  });
});

describe('domain alerts', () => {
  it('only a verified domain whose re-check fails, linked to its connection', () => {
    const alerts = collectAlerts(
      input({
        connections: [oidc('c1', 'Google', ['acme.example'])],
        domains: [
          domain('acme.example', true, iso(NOW - DAY)),
          domain('fine.example', true),
          domain('new.example', false),
        ],
      }),
    );
    expect(alerts.map((a) => [a.kind, a.href])).toEqual([['domain_failing', '/settings/sso/c1']]);
    expect(alerts[0]?.detail).toContain('2026-06-20');
  });
});

describe('failure spike alerts', () => {
  it('> 50 % of ≥ 10 attempts in the last hour; exactly half, or fewer than 10 attempts, is no spike', () => {
    const alerts = collectAlerts(
      input({
        connections: [oidc('c1', 'Okta'), oidc('c2', 'Half'), oidc('c3', 'Quiet')],
        stats: stats([
          connStats('c1', { success: 4, failure: 6 }),
          connStats('c2', { success: 5, failure: 5 }),
          connStats('c3', { success: 0, failure: 9 }),
        ]),
      }),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'failure_spike',
      severity: 'error',
      title: 'Okta: 6 of 10 sign-ins failed in the last hour',
      href: '/settings/sso/activity?outcome=failure&connectionId=c1',
    });
  });
});

describe('extension', () => {
  it('a rule a feature supplies is collected with the built-in ones', () => {
    const alerts = collectAlerts(input({}), [
      () => [{ kind: 'webhook_failing', severity: 'warning', title: 't', detail: 'd', href: '/x' }],
    ]);
    expect(alerts.map((a) => a.kind)).toEqual(['webhook_failing']);
  });
});

describe('series and health', () => {
  it('fills every hour of 24 h, sums the chosen connection, gathers rare reasons as other', () => {
    const s = stats(
      [],
      [
        { start: '2026-06-14T13:00:00.000Z', connectionId: 'c1', success: 2, failure: 1, failuresByReason: { a: 1 } },
        {
          start: '2026-06-15T12:00:00.000Z',
          connectionId: 'c1',
          success: 0,
          failure: 9,
          failuresByReason: { b: 2, c: 2, d: 2, e: 2, f: 1 },
        },
        { start: '2026-06-15T12:00:00.000Z', connectionId: 'c2', success: 7, failure: 0, failuresByReason: {} },
      ],
    );
    const all = seriesOf(s, null);
    expect(all).toHaveLength(24);
    expect(all[0]).toMatchObject({ start: '2026-06-14T13:00:00.000Z', success: 2, failure: 1 });
    expect(all[23]).toMatchObject({ start: '2026-06-15T12:00:00.000Z', success: 7, failure: 9 });
    expect(seriesOf(s, 'c2')[23]).toMatchObject({ success: 7, failure: 0 });
    const reasons = chartReasons(all);
    expect(reasons).toEqual(['b', 'c', 'd', 'e', 'other']);
    expect(chartFailures(all[23]!, reasons)).toEqual({ b: 2, c: 2, d: 2, e: 2, other: 1 });
  });

  it('health names each domain’s state and the certificate that expires last', () => {
    const [h] = connectionHealth(
      [saml('c1', 'Okta', [NOW + 5 * DAY, NOW + 300 * DAY], ['acme.example', 'gone.example', 'new.example'])],
      [domain('acme.example', true, iso(NOW)), domain('new.example', false)],
      null,
    );
    expect(h?.certificate).toEqual({ notAfter: iso(NOW + 300 * DAY), status: 'ok' });
    expect(h?.domains.map((d) => d.state)).toEqual(['failing', 'unknown', 'unverified']);
  });

  it('reads ?period= and falls back to 24 h', () => {
    expect(readPeriod({ period: '7d' })).toBe('7d');
    expect(readPeriod({ period: ['7d', '30d'] })).toBe('24h');
    expect(readPeriod({ period: '1y' })).toBe('24h');
  });
});
