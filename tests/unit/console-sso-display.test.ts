import { describe, expect, it } from 'vitest';
import { displayText } from '@/lib/console/utils/display-text';
import { normalizeIdentity } from '@/lib/console/member-login/member-session';
import { DISCOVERY_FAILURE_REASONS, isReachabilityFailure } from '@/lib/console/settings/discovery-failure';
import { describeDiscoveryFailure } from '@/lib/console/messages';
import { classifyGrantexFailure } from '@/lib/console/member-login/grantex-failure';
import { safeOrg } from '@/lib/console/member-login/sso-errors';
import { GrantexError } from '@/lib/grantex/errors';
import { MESSAGES } from '@/lib/contract';

describe('displayText (row 25)', () => {
  it('strips bidi overrides, isolates and zero-width characters', () => {
    expect(displayText('ab\u202Efdp.exe\u2066x\u200By')).toBe('abfdp.exexy');
  });
  it('caps length at 200 characters with an ellipsis', () => {
    const out = displayText('n'.repeat(100_000));
    expect(Array.from(out)).toHaveLength(201);
    expect(out.endsWith('…')).toBe(true);
  });
  it('keeps markup as plain text (React escapes it) and collapses control whitespace', () => {
    expect(displayText('<img src=x onerror=alert(1)>\n\t x')).toBe('<img src=x onerror=alert(1)> x');
  });
  it('maps null to empty', () => {
    expect(displayText(null)).toBe('');
  });
  it('caps identities before they go into a cookie', () => {
    const id = normalizeIdentity({ developerId: 'dev_1', email: '"><script>', name: 'x'.repeat(100_000), sub: 's' });
    expect(id.name!.length).toBeLessThan(400);
    expect(id.email).toBe('"><script>');
  });
});

describe('issuer check messages', () => {
  it('names both issuers on a mismatch', () => {
    const msg = describeDiscoveryFailure({ reason: 'issuer_mismatch', expected: 'https://a/', actual: 'https://a' });
    expect(msg).toContain('“https://a”');
    expect(msg).toContain('“https://a/”');
  });
  it('offers the override only for reachability failures', () => {
    expect(isReachabilityFailure('unreachable')).toBe(true);
    expect(isReachabilityFailure('timeout')).toBe(true);
    expect(isReachabilityFailure('issuer_mismatch')).toBe(false);
    expect(isReachabilityFailure('not_json')).toBe(false);
  });
  it('has a distinct message per reason', () => {
    expect(new Set(DISCOVERY_FAILURE_REASONS.map((reason) => describeDiscoveryFailure({ reason }))).size).toBe(
      DISCOVERY_FAILURE_REASONS.length,
    );
  });
  it('says a slash or case slip is one, and points a multi-tenant Entra issuer at the tenant-specific one', () => {
    const slip = describeDiscoveryFailure({
      reason: 'issuer_mismatch',
      expected: 'https://a/',
      actual: 'https://a',
      suggestedIssuer: 'https://a/',
    });
    expect(slip).toContain('differ only by a trailing slash or letter case');
    const entra = describeDiscoveryFailure({
      reason: 'tenant_placeholder',
      expected: 'https://login.microsoftonline.com/<your tenant ID>/v2.0',
    });
    expect(entra).toContain('Use your tenant’s own issuer: https://login.microsoftonline.com/<your tenant ID>/v2.0');
    expect(entra).toContain('Overview page of the Microsoft Entra admin center');
  });
});

describe('login failure classification', () => {
  const err = (kind: GrantexError['kind'], message: string, status: number | null = 400) =>
    new GrantexError({ kind, message, status, code: 'X', requestId: 'req_1' });
  it('maps Grantex answers to short codes', () => {
    expect(classifyGrantexFailure(err('validation', MESSAGES.stateExpiredOrUsed)).code).toBe('expired');
    expect(classifyGrantexFailure(err('not_found', MESSAGES.ssoNotConfigured, 404)).code).toBe('not_configured');
    expect(classifyGrantexFailure(err('sso', MESSAGES.tokenExchangeFailed, 502)).code).toBe('sso_failed');
    expect(classifyGrantexFailure(err('network', 'x', null)).code).toBe('unavailable');
    expect(classifyGrantexFailure(err('sso', 'm', 502)).detail.requestId).toBe('req_1');
  });
  it('never passes an unexpected error text through', () => {
    const out = classifyGrantexFailure(new Error('SELECT * FROM secrets'));
    expect(out.detail.message).not.toContain('SELECT');
  });
});

describe('org ids in links', () => {
  it('accepts Grantex ids and drops anything else', () => {
    expect(safeOrg('dev_01HXYZ')).toBe('dev_01HXYZ');
    expect(safeOrg('//evil.example')).toBeNull();
    expect(safeOrg('a b')).toBeNull();
    expect(safeOrg(undefined)).toBeNull();
  });
});

describe('POST origin guard for /sso/start and member sign-out', async () => {
  const { isSameOriginPost, isHttpUrl } = await import('@/lib/console/utils/request-guard');
  const app = 'http://localhost:3000';
  it('trusts Sec-Fetch-Site first, then Origin, and refuses requests with neither', () => {
    expect(isSameOriginPost(new Headers({ 'sec-fetch-site': 'same-origin' }), app)).toBe(true);
    expect(isSameOriginPost(new Headers({ 'sec-fetch-site': 'cross-site', origin: app }), app)).toBe(false);
    expect(isSameOriginPost(new Headers({ 'sec-fetch-site': 'same-site' }), app)).toBe(false);
    expect(isSameOriginPost(new Headers({ origin: app }), app)).toBe(true);
    expect(isSameOriginPost(new Headers({ origin: 'https://evil.example' }), app)).toBe(false);
    expect(isSameOriginPost(new Headers(), app)).toBe(false);
  });
  it('only redirects to http(s) authorize URLs', () => {
    expect(isHttpUrl('https://idp.example.com/authorize?state=x')).toBe(true);
    expect(isHttpUrl('javascript:alert(1)')).toBe(false);
    expect(isHttpUrl('/relative')).toBe(false);
  });
});
