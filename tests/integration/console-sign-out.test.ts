/**
 * Signing out of a console session (SSO or break-glass) ends it at the real service, not only in the browser: the
 * `gxc_` token the cookie held is refused afterwards. An API-key sign-out leaves the key alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signup, startTestService, type TestService } from './service-harness';

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
  process.env.GRANTEX_URL = svc.url;
  process.env.NEXTAUTH_SECRET = 'console-sign-out-test-secret-'.padEnd(48, 'x');
});
afterAll(() => svc?.close());

async function signOut(token: Record<string, unknown>) {
  const { authOptions } = await import('@/lib/auth/options');
  const signOutEvent = authOptions().events?.signOut;
  expect(signOutEvent).toBeTypeOf('function');
  await signOutEvent!({ token, session: undefined as never });
}

describe('console sign-out', () => {
  it('revokes the break-glass console session at the service', async () => {
    const { grantexForAdmin, grantexPublic } = await import('@/lib/grantex/server');
    const org = await signup(svc.url, { name: 'Sign-out Org' });
    const created = await grantexForAdmin({ apiKey: org.apiKey }).sso.breakGlass.create({ label: 'Office safe' });
    const signedIn = await grantexPublic({ from: {} }).console.breakGlassSignIn(created.credential);
    const session = grantexForAdmin({ apiKey: signedIn.console.token });
    expect(await session.console.me()).toMatchObject({ role: 'owner', via: 'break_glass' });

    await signOut({
      role: 'admin',
      developerId: org.developerId,
      name: 'Sign-out Org',
      email: null,
      apiKey: signedIn.console.token,
      consoleRole: 'owner',
      via: 'break_glass',
      person: 'break-glass: Office safe',
    });

    await expect(session.console.me()).rejects.toMatchObject({ kind: 'unauthorized' });
    // The org's key is untouched.
    expect(await grantexForAdmin({ apiKey: org.apiKey }).console.me()).toMatchObject({ via: 'api_key' });
  });

  it('an API-key sign-out leaves the key working', async () => {
    const { grantexForAdmin } = await import('@/lib/grantex/server');
    const org = await signup(svc.url, { name: 'Key Org' });
    await signOut({ role: 'admin', developerId: org.developerId, name: 'Key Org', email: null, apiKey: org.apiKey });
    expect(await grantexForAdmin({ apiKey: org.apiKey }).orgs.me()).toMatchObject({ developerId: org.developerId });
  });
});
