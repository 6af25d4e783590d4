import { describe, expect, it } from 'vitest';
import {
  activityQuery,
  activitySearch,
  connectionActivityHref,
  csvField,
  eventsToCsv,
  readActivityFilters,
  summarizeSignIns,
} from '@/lib/console/activity';
import type { SignInEvent } from '@/lib/contract';

const event: SignInEvent = {
  id: 'evt_1',
  developerId: 'dev_1',
  connectionId: 'sso_1',
  protocol: 'oidc',
  startedBy: 'member',
  outcome: 'failure',
  stage: 'id_token',
  reason: 'id_token_not_yet_valid',
  idpError: null,
  idpErrorDescription: '=HYPERLINK("http://evil")',
  email: 'a"b@example.com',
  sub: 's',
  name: null,
  durationMs: 12.5,
  requestId: 'req_1',
  trace: { clockSkewSec: 360 },
  createdAt: '2026-12-01T10:00:00.000Z',
};

describe('sign-in activity filters and CSV', () => {
  it('reads a known reason code and drops anything else; the query and the URL carry it', () => {
    expect(readActivityFilters({ reason: 'state_expired' }).reason).toBe('state_expired');
    for (const reason of ['not_a_reason', 'State_Expired', '__proto__', ['state_expired', 'idp_error']])
      expect(readActivityFilters({ reason }).reason).toBe('');
    const f = readActivityFilters({ reason: 'idp_error', connectionId: 'conn_1' });
    expect(activityQuery(f)).toEqual({ connectionId: 'conn_1', reason: 'idp_error' });
    expect(activitySearch(f)).toBe('?connectionId=conn_1&reason=idp_error');
  });

  it('reads only well-formed filters and turns days into UTC bounds', () => {
    const f = readActivityFilters({
      outcome: 'failure',
      email: ' a@b.c ',
      connectionId: 'bad id!',
      from: '2026-12-01',
      to: 'tomorrow',
    });
    expect(f).toEqual({ outcome: 'failure', email: 'a@b.c', connectionId: '', reason: '', from: '2026-12-01', to: '' });
    expect(activityQuery(f, { limit: 10 })).toEqual({
      outcome: 'failure',
      email: 'a@b.c',
      from: '2026-12-01T00:00:00.000Z',
      limit: 10,
    });
    expect(activitySearch(f, 'abc')).toBe('?outcome=failure&email=a%40b.c&from=2026-12-01&cursor=abc');
  });

  it('quotes every field, doubles quotes and defuses spreadsheet formulas', () => {
    expect(csvField('=1+1')).toBe(`"'=1+1"`);
    expect(csvField(null)).toBe('""');
    const csv = eventsToCsv([event]);
    const [header, row] = csv.trimEnd().split('\r\n');
    expect(header?.startsWith('"time","outcome"')).toBe(true);
    expect(row).toContain('"a""b@example.com"');
    expect(row).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(row).toContain('The identity provider’s clock is 6 minutes ahead: the token was not valid yet');
  });
});

describe('a connection’s last-24-hours summary', () => {
  it('counts successes and groups failures by their reason in plain words, most frequent first', () => {
    const success: SignInEvent = { ...event, id: 'evt_ok', outcome: 'success', stage: 'complete', reason: null };
    const secret: SignInEvent = {
      ...event,
      id: 'evt_s',
      stage: 'token',
      reason: 'token_client_auth_rejected',
      trace: {},
    };
    const summary = summarizeSignIns([success, event, secret, success, { ...secret, id: 'evt_s2' }], true);
    expect(summary.successes).toBe(2);
    expect(summary.partial).toBe(true);
    expect(summary.failures.map((f) => f.count)).toEqual([2, 1]);
    expect(summary.failures[1]?.title).toBe(
      'The identity provider’s clock is 6 minutes ahead: the token was not valid yet',
    );
    expect(summarizeSignIns([])).toEqual({ successes: 0, failures: [], partial: false });
  });

  it('links to the activity page filtered by the connection, which reads the filter back', () => {
    const href = connectionActivityHref('sso_1');
    expect(href).toBe('/settings/sso/activity?connectionId=sso_1');
    const params = Object.fromEntries(new URL(href, 'http://x').searchParams);
    expect(readActivityFilters(params).connectionId).toBe('sso_1');
  });
});
