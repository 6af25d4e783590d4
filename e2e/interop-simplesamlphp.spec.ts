/**
 * The console against a real SAML IdP that is neither JavaScript nor ours: SimpleSAMLphp from Debian's packages,
 * started by this spec (scripts/interop/simplesamlphp.ts) once the connection's SP entity ID and ACS URL are known.
 * The admin creates the SAML connection, points it at SimpleSAMLphp's metadata URL, runs a test sign-in on
 * SimpleSAMLphp's own login page, and a member signs in and lands on /member. Skipped where it is not installed.
 */
import { simpleSamlPhpInstalled, startSimpleSamlPhp, type SimpleSamlPhp } from '../scripts/interop/simplesamlphp';
import { SimpleSamlPhpLoginPage } from './pages/simplesamlphp-login-page';
import { test, expect, MemberLoginPage } from './fixtures';

test.describe('SimpleSAMLphp as the SAML identity provider', () => {
  test.skip(
    !simpleSamlPhpInstalled(),
    'SimpleSAMLphp is not installed: `sudo bash scripts/interop/simplesamlphp-install.sh`.',
  );

  let idp: SimpleSamlPhp | undefined;
  test.afterEach(async () => {
    await idp?.close();
    idp = undefined;
  });

  test('test sign-in on SimpleSAMLphp’s login page shows the identity; a member ends on /member', async ({
    adminPage: page,
    freshOrg,
    idp: devIdp,
    e2e,
    browser,
  }) => {
    test.setTimeout(120_000);
    // The connection first (from the dev IdP's metadata), so its SP entity ID and ACS URL exist for SimpleSAMLphp.
    await page.goto('/settings/sso/new?protocol=saml');
    await page.getByLabel('Name', { exact: true }).fill('SimpleSAMLphp');
    await page.getByLabel('IdP metadata URL', { exact: true }).fill(`${devIdp.issuer}/saml/metadata`);
    await page.getByRole('button', { name: 'Create connection' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'SimpleSAMLphp' })).toBeVisible();
    const connectionId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    const res = await fetch(`${e2e.grantexUrl}/v1/sso/connections/${encodeURIComponent(connectionId)}`, {
      headers: { authorization: `Bearer ${freshOrg.apiKey}` },
    });
    const connection = (await res.json()) as { spEntityId: string; spAcsUrl: string };
    expect(connection.spAcsUrl).toBe(`${e2e.baseUrl}/sso/callback/saml?connection=${encodeURIComponent(connectionId)}`);

    idp = await startSimpleSamlPhp({ spEntityId: connection.spEntityId, acsUrl: connection.spAcsUrl });
    const user = idp.users[0];
    await page.getByRole('radio', { name: 'Metadata URL', exact: true }).check();
    await page.getByLabel('IdP metadata URL', { exact: true }).fill(idp.metadataUrl);
    await page.getByRole('button', { name: 'Save connection' }).click();
    // Another IdP's metadata (a new entity ID): the save says its members start over. (The page's own
    // "SAML connection saved" from the create above may still be on screen, so it proves nothing here.)
    await expect(
      page.getByRole('status').filter({ hasText: 'Connection saved with the new identity provider' }),
    ).toBeVisible();
    await page.reload();
    await expect(page.getByText(idp.metadataUrl, { exact: true }).first()).toBeVisible();

    const opened = page.context().waitForEvent('page');
    await page.getByRole('button', { name: 'Test sign-in' }).click();
    const tab = await opened;
    await new SimpleSamlPhpLoginPage(tab).signIn(user, idp.baseUrl);
    await expect(tab).toHaveURL(/\/sso\/test-result$/);
    await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
    expect(await new MemberLoginPage(tab).identity()).toMatchObject({
      'Developer ID': freshOrg.developerId,
      Email: user.email,
      Name: user.name,
    });
    await tab.close();

    // The first connection is active: members sign in through it.
    const member = await (await browser.newContext({ baseURL: e2e.baseUrl })).newPage();
    const memberLogin = new MemberLoginPage(member);
    await memberLogin.goto(freshOrg.developerId);
    await memberLogin.continueWithSso();
    await new SimpleSamlPhpLoginPage(member).signIn(user, idp.baseUrl);
    await expect(member).toHaveURL(/\/member$/);
    expect(await memberLogin.identity()).toMatchObject({ 'Developer ID': freshOrg.developerId, Email: user.email });
    await member.context().close();
  });
});
