/**
 * The console against a second real SAML IdP that is neither JavaScript nor ours, and not PHP: LemonLDAP::NG's
 * SAML issuer (Perl on Lasso, Debian's packages), started by this spec (scripts/interop/lemonldap-saml.ts). The
 * admin's whole setup goes through the console: a SAML connection from LemonLDAP's metadata URL, the SP metadata
 * downloaded from the connection page and registered at LemonLDAP, a test sign-in on LemonLDAP's own login page,
 * the connection set active; then a member signs in through the hosted login and lands on /member.
 * Skipped where LemonLDAP::NG or Lasso is not installed, except in CI (CI or INTEROP_REQUIRED=1), where it fails.
 */
import { readFileSync } from 'node:fs';
import { lemonLdapSamlInstalled, startLemonLdapSaml, type LemonLdapSaml } from '../scripts/interop/lemonldap-saml';
import { LemonLdapLoginPage } from './pages/lemonldap-login-page';
import { test, expect, MemberLoginPage } from './fixtures';

const required = Boolean(process.env.CI) || process.env.INTEROP_REQUIRED === '1';

test.describe('LemonLDAP::NG as the SAML identity provider', () => {
  test.skip(
    !lemonLdapSamlInstalled() && !required,
    'LemonLDAP::NG with Lasso is not installed: `sudo bash scripts/interop/install-lemonldap.sh`.',
  );

  let idp: LemonLdapSaml | undefined;
  test.afterEach(async ({}, testInfo) => {
    // LemonLDAP's error page says only "An error occurred during SAML single sign on"; its log says why.
    if (idp && testInfo.status !== testInfo.expectedStatus) {
      const log = (await idp.portalLog()).split('\n').filter((line) => /\[(error|warn|notice)\]/.test(line));
      await testInfo.attach('lemonldap-portal.log', { body: log.slice(-40).join('\n'), contentType: 'text/plain' });
    }
    await idp?.close();
    idp = undefined;
  });

  test('a connection from LemonLDAP’s metadata URL: test sign-in on its login page shows the identity; a member ends on /member', async ({
    adminPage: page,
    freshOrg,
    e2e,
    browser,
  }) => {
    test.setTimeout(120_000);
    idp = await startLemonLdapSaml();
    const user = idp.users[0];

    await page.goto('/settings/sso/new?protocol=saml');
    await page.getByLabel('Name', { exact: true }).fill('LemonLDAP::NG');
    await page.getByRole('radio', { name: 'Metadata URL', exact: true }).check();
    await page.getByLabel('IdP metadata URL', { exact: true }).fill(idp.metadataUrl);
    await page.getByRole('radio', { name: 'Testing', exact: true }).check();
    await page.getByRole('button', { name: 'Create connection' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'LemonLDAP::NG' })).toBeVisible();
    // LemonLDAP's entity ID is its metadata URL.
    await expect(page.getByText(idp.metadataUrl, { exact: true }).first()).toBeVisible();

    // The admin hands LemonLDAP the SP metadata the connection page offers.
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download SP metadata (XML)' }).click();
    const metadataXml = readFileSync(await (await download).path(), 'utf8');
    await idp.registerServiceProvider({ metadataXml });

    const opened = page.context().waitForEvent('page');
    await page.getByRole('button', { name: 'Test sign-in' }).click();
    const tab = await opened;
    await new LemonLdapLoginPage(tab).signIn(user, idp.baseUrl);
    await expect(tab).toHaveURL(/\/sso\/test-result$/);
    await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
    // LemonLDAP's default NameID (emailAddress, holding mail) is the subject; the name is givenName + sn.
    expect(await new MemberLoginPage(tab).identity()).toMatchObject({
      'Developer ID': freshOrg.developerId,
      Email: user.email,
      Name: user.name,
      Subject: user.email,
    });
    await expect(page.getByText('Test sign-in succeeded')).toBeVisible();
    await tab.close();

    await page.getByRole('radio', { name: 'Active', exact: true }).check();
    await page.getByRole('button', { name: 'Update status' }).click();
    await expect(page.getByText(/Status set to Active/)).toBeVisible();

    // A member, in a browser of their own: /login?org=… → LemonLDAP → /member.
    const context = await browser.newContext({ baseURL: e2e.baseUrl });
    const member = await context.newPage();
    const memberLogin = new MemberLoginPage(member);
    await memberLogin.goto(freshOrg.developerId);
    await memberLogin.continueWithSso();
    await new LemonLdapLoginPage(member).signIn(user, idp.baseUrl);
    await expect(member).toHaveURL(/\/member$/);
    expect(await memberLogin.identity()).toMatchObject({
      'Developer ID': freshOrg.developerId,
      Email: user.email,
      Name: user.name,
      Subject: user.email,
    });
    await expect(member.getByLabel('SSO session')).toBeVisible();
    await context.close();
  });
});
