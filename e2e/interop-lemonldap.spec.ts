/**
 * The console against a real OpenID Provider that is neither JavaScript nor ours: LemonLDAP::NG from Debian's
 * packages. Runs only while one is up and described by INTEROP_LEMONLDAP_* (`npm run test:interop` and
 * scripts/test.sh start it with the e2e stack's callback among its redirect URIs); skipped otherwise.
 */
import { readInteropEnv } from '../scripts/interop/env';
import { LemonLdapLoginPage } from './pages/lemonldap-login-page';
import { test, expect, MemberLoginPage } from './fixtures';
import { createConnection } from './support/grantex-api';

const lemon = readInteropEnv();

test.describe('LemonLDAP::NG as the identity provider', () => {
  test.skip(!lemon, 'No interop IdP running: `npm run test:interop` starts LemonLDAP::NG for this spec.');

  test('test sign-in on LemonLDAP’s own page shows the identity; the hosted member login ends on /member', async ({
    adminPage,
    ssoSettings,
    freshOrg,
    browser,
    e2e,
  }) => {
    if (!lemon) throw new Error('unreachable: skipped above');
    const { user } = lemon;
    // A real IdP registers exact redirect URIs: the run registered this connection's own one at LemonLDAP
    // (`/sso/callback/interop-lemonldap`), so the connection is made with it (the form would pick a fresh key).
    const redirectUri = `${e2e.baseUrl}/sso/callback/interop-lemonldap`;
    await createConnection(e2e.grantexUrl, freshOrg.apiKey, {
      name: 'LemonLDAP',
      issuerUrl: lemon.issuer,
      clientId: lemon.clientId,
      clientSecret: lemon.clientSecret,
      redirectUri,
    });
    await ssoSettings.openConnection('LemonLDAP');
    await expect(ssoSettings.redirectUri()).toHaveValue(redirectUri);

    const tab = await ssoSettings.testSignIn();
    await new LemonLdapLoginPage(tab).signIn(user, lemon.issuer);
    await expect(tab).toHaveURL(/\/sso\/test-result$/);
    await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
    expect(await new MemberLoginPage(tab).identity()).toMatchObject({
      'Developer ID': freshOrg.developerId,
      Email: user.email,
      Name: user.name,
      Subject: user.sub,
    });
    await expect(adminPage.getByText('Test sign-in succeeded')).toBeVisible();

    // A member, in a browser of their own: /login?org=… → LemonLDAP → /member.
    const context = await browser.newContext({ baseURL: e2e.baseUrl });
    const page = await context.newPage();
    const member = new MemberLoginPage(page);
    await member.goto(freshOrg.developerId);
    await member.continueWithSso();
    await new LemonLdapLoginPage(page).signIn(user, lemon.issuer);
    await expect(page).toHaveURL(/\/member$/);
    expect(await member.identity()).toMatchObject({
      'Developer ID': freshOrg.developerId,
      Email: user.email,
      Name: user.name,
      Subject: user.sub,
    });
    await context.close();
  });
});
