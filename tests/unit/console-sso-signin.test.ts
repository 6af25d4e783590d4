/**
 * The end of an admin's console sign-in through SSO (lib/console/member-login/sign-in-finish.ts): a console
 * session only for a login this browser started as one and only with the console grant Grantex answered; a member
 * login that somehow came back with a grant, or a console login without one, signs nobody in.
 */
import { NextRequest, type NextResponse } from 'next/server';
import { describe, expect, it } from 'vitest';

process.env.NEXTAUTH_SECRET = 'console-sso-signin-test-secret-'.padEnd(48, 'x');
process.env.APP_URL = 'http://127.0.0.1:3999';
// Nothing listens here: the organization's name cannot be asked, the developer id stands in.
process.env.GRANTEX_URL = 'http://127.0.0.1:9';

const grant = {
  token: `gxc_${'t'.repeat(43)}`,
  role: 'admin' as const,
  expiresAt: new Date(Date.now() + 3600_000).toISOString(),
};
const identity = { developerId: 'dev_sso', email: 'alice@example.com', name: 'Alice', sub: 'alice-sub' };

async function bound(mode: 'member' | 'console' | 'test') {
  const { finishBoundSignIn, failBoundSignIn } = await import('@/lib/console/member-login/sign-in-finish');
  const s = {
    req: new NextRequest('http://127.0.0.1:3999/sso/callback'),
    requestId: 'req_1',
    binding: { org: 'dev_sso', mode, ...(mode === 'test' ? { adminDeveloperId: 'dev_sso' } : {}) },
    secret: process.env.NEXTAUTH_SECRET!,
    done: (res: NextResponse) => res,
    event: 'callback',
  };
  return { s, finishBoundSignIn, failBoundSignIn };
}

const sessionCookie = (res: NextResponse) => res.cookies.get('next-auth.session-token');

describe('console sign-in through SSO', () => {
  it('a console login with a grant signs the admin in with the role Grantex gave, token only in the encrypted cookie', async () => {
    const { s, finishBoundSignIn } = await bound('console');
    const res = await finishBoundSignIn(s, identity, grant);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:3999/settings/sso');
    const cookie = sessionCookie(res);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('lax');
    expect(cookie?.value).not.toContain(grant.token);
    const { decode } = await import('next-auth/jwt');
    const token = await decode({ token: cookie!.value, secret: process.env.NEXTAUTH_SECRET! });
    expect(token).toMatchObject({ consoleRole: 'admin', via: 'sso', person: 'alice@example.com', apiKey: grant.token });
    expect(res.cookies.get('gx_member')).toBeUndefined();
  });

  it('a member login that comes back with a console grant signs nobody in', async () => {
    const { s, finishBoundSignIn } = await bound('member');
    const res = await finishBoundSignIn(s, identity, grant);
    expect(res.headers.get('location')).toMatch(/\/sso\/error\?code=sso_failed/);
    expect(sessionCookie(res)).toBeUndefined();
    expect(res.headers.get('set-cookie') ?? '').not.toMatch(/gx_member|next-auth/);
  });

  it('a console login answered without a grant (a member session only) signs nobody in', async () => {
    const { s, finishBoundSignIn } = await bound('console');
    const res = await finishBoundSignIn(s, identity);
    expect(res.headers.get('location')).toMatch(/\/sso\/error\?code=sso_failed/);
    expect(res.headers.get('set-cookie') ?? '').not.toMatch(/gx_member|next-auth/);
  });

  it('a grant for another organization than the login was bound to signs nobody in', async () => {
    const { s, finishBoundSignIn } = await bound('console');
    const res = await finishBoundSignIn(s, { ...identity, developerId: 'dev_other' }, grant);
    expect(res.headers.get('location')).toMatch(/code=sso_failed/);
    expect(sessionCookie(res)).toBeUndefined();
  });

  it('CONSOLE_ROLE_MISSING goes to the page that says so (only for a console login)', async () => {
    const { GrantexError, kindForStatus } = await import('@/lib/grantex/errors');
    const err = new GrantexError({
      kind: kindForStatus(403, 'CONSOLE_ROLE_MISSING'),
      status: 403,
      code: 'CONSOLE_ROLE_MISSING',
      message: 'no role',
      requestId: 'req_x',
    });
    const consoleLogin = await bound('console');
    const res = await consoleLogin.failBoundSignIn(consoleLogin.s, err);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:3999/signin/console-role-missing');
    expect(sessionCookie(res)).toBeUndefined();
    const memberLogin = await bound('member');
    expect((await memberLogin.failBoundSignIn(memberLogin.s, err)).headers.get('location')).toMatch(/\/sso\/error/);
  });
});
