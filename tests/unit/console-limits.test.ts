/**
 * The console's own limits are per address only: nobody can fill a bucket that someone else's sign-in needs.
 * (TRUSTED_PROXIES is empty here, so the right-most X-Forwarded-For entry is the requester, as Next.js records it.)
 */
import { describe, expect, it } from 'vitest';
import { checkSigninRate } from '@/lib/auth/signin-limit';
import { checkConsoleRate } from '@/lib/rate-limit/console-limits';
import { env } from '@/lib/env';

const from = (address: string) => new Headers({ 'x-forwarded-for': address });

describe('admin sign-in limit', () => {
  it('a flood from one address locks out only that address', () => {
    const limit = env().RATE_LIMIT_SIGNIN_PER_MIN;
    for (let i = 0; i < limit * 30; i += 1) checkSigninRate(from('203.0.113.66'));
    expect(checkSigninRate(from('203.0.113.66'))).toBeGreaterThan(0);
    expect(checkSigninRate(from('198.51.100.9'))).toBeNull();
  });

  it('has no process-wide bucket: attempts spread over many addresses never lock out a new one', () => {
    const limit = env().RATE_LIMIT_SIGNIN_PER_MIN;
    // Far more than any global cap would allow (the former one was 20 × the per-address limit).
    for (let i = 0; i < limit * 40; i += 1) checkSigninRate(from(`10.9.${Math.floor(i / 250)}.${i % 250}`));
    expect(checkSigninRate(from('198.51.100.10'))).toBeNull();
  });
});

describe('member login limits (/sso/start and the email form)', () => {
  it('are per address: a flood at /sso/start from one address leaves another one alone', () => {
    const limit = env().RATE_LIMIT_SSO_START_PER_MIN;
    for (let i = 0; i <= limit; i += 1) checkConsoleRate('ssoStart', from('203.0.113.77'));
    expect(checkConsoleRate('ssoStart', from('203.0.113.77'))).toBeGreaterThan(0);
    expect(checkConsoleRate('ssoStart', from('198.51.100.11'))).toBeNull();
    expect(checkConsoleRate('loginEmail', from('203.0.113.77'))).toBeNull();
  });
});
