/**
 * The admin's SSO settings page, against the real stack (console + Grantex service + dev IdP).
 * Loopback http issuers need the console's dev mode (GRANTEX_DEV_MODE=true) when the stack runs
 * a production build.
 */
import { test, expect, IdpLoginPage } from './fixtures';

test.describe('SSO settings', () => {
  test('shows the member link before anything is typed; each new connection gets its own redirect URI', async ({
    adminPage,
    ssoSettings,
    freshOrg,
    e2e,
  }) => {
    await ssoSettings.gotoList();
    // No shared callback to register any more: the addresses card says each connection has its own.
    const addresses = adminPage
      .locator('section')
      .filter({ has: adminPage.getByRole('heading', { name: 'Your console’s addresses' }) });
    await expect(addresses.getByRole('heading', { name: 'Redirect URIs' })).toBeVisible();
    await expect(addresses.getByText(`${e2e.baseUrl}/sso/callback`, { exact: true })).toHaveCount(0);
    await expect(
      adminPage.getByText(`${e2e.baseUrl}/login?org=${freshOrg.developerId}`, { exact: true }),
    ).toBeVisible();
    await expect(ssoSettings.copyMemberLinkButton()).toBeVisible();
    await expect(adminPage.getByText('SSO is not configured yet')).toBeVisible();
    // The empty state leads into the first connection, whose form shows its own redirect URI (read-only, copyable).
    await ssoSettings.addConnectionLink().click();
    const own = new RegExp(`^${e2e.baseUrl}/sso/callback/[A-Za-z0-9_-]{22}$`);
    await expect(ssoSettings.redirectUri()).toHaveValue(own);
    await expect(ssoSettings.redirectUri()).toHaveAttribute('readonly', '');
    await expect(ssoSettings.copyOwnRedirectUriButton()).toBeVisible();
    // Another form, another address.
    const first = await ssoSettings.redirectUri().inputValue();
    await adminPage.reload();
    await expect(ssoSettings.redirectUri()).toHaveValue(own);
    expect(await ssoSettings.redirectUri().inputValue()).not.toBe(first);
  });

  test('first configuration against the IdP; the secret is write-only afterwards', async ({
    adminPage,
    ssoSettings,
    idp,
  }) => {
    await ssoSettings.goto();
    await ssoSettings.save({ issuerUrl: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    await expect(ssoSettings.status()).toHaveText(/Connection saved/);
    // The keyboard lands on the outcome (not on <body>), which is scrolled into view.
    await expect(ssoSettings.status()).toBeFocused();
    await expect(ssoSettings.status()).toBeInViewport();
    await expect(ssoSettings.testButton()).toBeVisible();

    // The next submission owns the status: a refused one shows its errors and no stale "saved".
    await ssoSettings.fill({ issuerUrl: 'not a url', clientSecret: '' });
    await ssoSettings.submit();
    await expect(ssoSettings.formError()).toContainText('Some fields need your attention.');
    await expect(ssoSettings.status()).toHaveCount(0);
    expect(await ssoSettings.fieldError('Issuer URL')).toMatch(/^Issuer URL must be an absolute URL/);
    // A secret is saved, but it does not follow the connection to another issuer: an empty one is explained.
    expect(await ssoSettings.fieldError('Client secret')).toContain(
      'Client secret is required — enter it again to save',
    );

    await adminPage.reload();
    const saved = await ssoSettings.readOidcConnection();
    expect(saved).toMatchObject({ issuerUrl: idp.issuer, clientId: idp.clientId, clientSecret: '' });
    await expect(adminPage.getByText('Secret set')).toBeVisible();
    expect(await ssoSettings.fieldError('Client secret')).toMatch(/A secret is set .*enter it again/);
    expect(await adminPage.content()).not.toContain(idp.clientSecret);
    // Same issuer: a blank secret keeps the saved one.
    await ssoSettings.save({ clientId: idp.clientId });
    await expect(ssoSettings.status()).toHaveText(/Connection saved/);
  });

  test('validation errors sit next to each field and typed values survive (except the secret)', async ({
    adminPage,
    ssoSettings,
    idp,
    e2e,
  }) => {
    await ssoSettings.goto();
    // The redirect URI is the console's (read-only): only what the admin types can be missing.
    const redirectUri = await ssoSettings.redirectUri().inputValue();
    await ssoSettings.submit();
    await expect(ssoSettings.formError()).toBeVisible();
    for (const field of ['Issuer URL', 'Client ID', 'Client secret'] as const) {
      expect(await ssoSettings.fieldError(field)).toMatch(/required/);
    }
    expect(await ssoSettings.fieldError('Redirect URI')).not.toMatch(/required/);
    // First save: there is no saved secret to "enter again".
    const secretError = await ssoSettings.fieldError('Client secret');
    expect(secretError).toMatch(/^Client secret is required\b/);
    expect(secretError).not.toContain('enter it again');
    await ssoSettings.fill({ issuerUrl: 'http://idp.example.com', clientId: 'my-client', clientSecret: 's3cret' });
    await ssoSettings.submit();
    await expect.poll(() => ssoSettings.fieldError('Issuer URL')).toMatch(/https/);
    await expect(adminPage).toHaveURL(/\/settings\/sso\/new$/);

    // A server-side failure (the issuer check) keeps what was typed, but never the secret; the new connection
    // keeps the redirect URI the page gave it (the one the admin may already have registered).
    await ssoSettings.fill({ issuerUrl: `${idp.issuer}/` });
    await ssoSettings.submit();
    await expect(ssoSettings.formError()).toContainText('Nothing was saved');
    await expect(ssoSettings.issuerUrl()).toHaveValue(`${idp.issuer}/`);
    await expect(ssoSettings.clientId()).toHaveValue('my-client');
    await expect(ssoSettings.clientSecret()).toHaveValue('');
    await expect(ssoSettings.redirectUri()).toHaveValue(redirectUri);
    expect(redirectUri.startsWith(`${e2e.baseUrl}/sso/callback/`)).toBe(true);
  });

  test('a redirect URI that is not the new connection’s own is refused on create, nothing saved', async ({
    adminPage,
    ssoSettings,
    idp,
    e2e,
  }) => {
    await ssoSettings.goto();
    // The field is read-only; a tampered form (here: the shared callback, as every connection once used) is
    // refused by the server, next to the field.
    await ssoSettings.fill({ issuerUrl: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    await ssoSettings.redirectUri().evaluate((input: HTMLInputElement, value) => {
      input.readOnly = false;
      input.value = value;
    }, `${e2e.baseUrl}/sso/callback`);
    await ssoSettings.submit();
    await expect
      .poll(() => ssoSettings.fieldError('Redirect URI'))
      .toContain('must be the address this page gave the new connection');
    await expect(adminPage).toHaveURL(/\/settings\/sso\/new$/);
    await ssoSettings.gotoList();
    await expect(ssoSettings.connectionsTable()).toHaveCount(0);
  });

  test('issuer check: unreachable offers a deliberate override, a mismatch names both issuers', async ({
    adminPage,
    ssoSettings,
    idp,
  }) => {
    await ssoSettings.goto();
    await ssoSettings.fill({ issuerUrl: 'http://127.0.0.1:9', clientId: idp.clientId, clientSecret: idp.clientSecret });
    await ssoSettings.submit();
    await expect.poll(() => ssoSettings.fieldError('Issuer URL')).toMatch(/Could not reach/);
    const override = adminPage.getByLabel(/Save without checking the issuer/);
    await expect(override).toBeVisible();

    await ssoSettings.fill({ issuerUrl: `${idp.issuer}/`, clientSecret: idp.clientSecret });
    await ssoSettings.submit();
    await expect.poll(() => ssoSettings.fieldError('Issuer URL')).toMatch(/must match exactly/);
    const mismatch = await ssoSettings.fieldError('Issuer URL');
    expect(mismatch).toContain(`“${idp.issuer}”`);
    expect(mismatch).toContain(`“${idp.issuer}/”`);
    await expect(override).toHaveCount(0);
  });

  test('test sign-in succeeds in a new tab and the settings page shows the identity', async ({
    adminPage,
    ssoSettings,
    idp,
  }) => {
    await ssoSettings.goto();
    await ssoSettings.save({ issuerUrl: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    const tab = await ssoSettings.testSignIn();
    expect(tab).not.toBe(adminPage);
    // A test run is the latest action now; the save's status is gone.
    await expect(ssoSettings.status()).toHaveCount(0);
    await new IdpLoginPage(tab).signIn(idp.user, idp.issuer);
    await expect(tab).toHaveURL(/\/sso\/test-result$/);
    await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();

    // No reload: the settings page polls for the outcome.
    await expect(adminPage.getByText('Test sign-in succeeded')).toBeVisible();
    await expect(adminPage.locator('dl').filter({ hasText: 'Subject' }).getByText(idp.user.email)).toBeVisible();
    // The admin session is untouched.
    await adminPage.reload();
    await expect(ssoSettings.heading()).toBeVisible();
  });

  test('a failed test sign-in names the failing stage and the IdP error', async ({ adminPage, ssoSettings, idp }) => {
    await ssoSettings.goto();
    await ssoSettings.save({ issuerUrl: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    const tab = await ssoSettings.testSignIn();
    await new IdpLoginPage(tab).cancel();
    await expect(tab.getByText(/Test sign-in failed: At your identity provider/)).toBeVisible();
    await expect(adminPage.getByText(/Test sign-in failed: At your identity provider/)).toBeVisible();
    await expect(adminPage.getByText(/access_denied/).first()).toBeVisible();
  });

  test('delete: Cancel keeps the config, Delete removes it and the member login says so', async ({
    adminPage,
    ssoSettings,
    memberLogin,
    idp,
    freshOrg,
  }) => {
    await ssoSettings.goto();
    await ssoSettings.save({ issuerUrl: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    await expect(ssoSettings.status()).toHaveText(/Connection saved/);
    await ssoSettings.deleteButton().click();
    // Opening another action retires the earlier "saved". (Not via status(): the open dialog hides the
    // rest of the page from the accessibility tree, so a role query would find nothing either way.)
    await expect(adminPage.locator('[role="status"]', { hasText: 'Connection saved' })).toHaveCount(0);
    await expect(ssoSettings.dialog()).toContainText(`Members of`);
    await expect(ssoSettings.dialog()).toContainText(/will no longer be able to sign in with SSO through “.+”\./);
    // The only connection is the default one: the dialog says what happens to ?org= links.
    await expect(ssoSettings.dialog()).toContainText('member sign-in links with ?org= stop working');
    await expect(ssoSettings.dialog()).toContainText('This cannot be undone.');
    await ssoSettings.dialog().getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(ssoSettings.dialog()).toBeHidden();
    await expect(adminPage.getByRole('heading', { name: 'Current configuration' })).toBeVisible();

    await ssoSettings.delete({ confirm: true });
    await expect(adminPage.getByRole('status').filter({ hasText: 'Connection deleted' })).toBeVisible();
    await expect(adminPage.getByText('SSO is not configured yet')).toBeVisible();
    await expect(ssoSettings.deleteButton()).toHaveCount(0);

    await memberLogin.goto(freshOrg.developerId);
    await expect(adminPage.getByText('SSO is not configured for this organization')).toBeVisible();
    await expect(memberLogin.continueButton()).toHaveCount(0);
  });
});
