/**
 * Issuer mistakes caught on save with the fix offered: a trailing-slash slip ("Use <issuer>" in one click),
 * Microsoft Entra's multi-tenant `common` issuer (which issuer to use instead), and a discovery document's
 * address pasted as the issuer (trimmed, with a note). The vendor quirks are played by a static discovery
 * server on 127.0.0.1 (the stack runs in dev mode, which allows loopback http issuers); the console and the
 * Grantex service both check it.
 */
import { startStaticDiscovery, type StaticDiscovery } from '../tests/support/static-discovery';
import { test, expect } from './fixtures';
import { expectNoAxeViolations } from './support/axe';
import { withoutJavaScript } from './support/no-js';
import { screenshotFor } from './support/screenshots';

let op: StaticDiscovery;

test.describe('issuer mistakes with a fix offered', () => {
  test.beforeAll(async ({ e2e }) => {
    test.skip(e2e.external, 'needs a discovery server the deployment can reach');
    op = await startStaticDiscovery();
  });
  test.afterAll(async () => {
    await op?.close();
  });

  test('trailing slash: "Use <issuer>" fills the field and the save succeeds', async ({
    adminPage: page,
    ssoSettings,
    idp,
  }) => {
    // Auth0's issuer ends with a slash (https://<tenant>.auth0.com/); admins type it without.
    const typed = op.serve(`/auth0-${test.info().workerIndex}`, (url) => `${url}/`);
    await ssoSettings.goto();
    await ssoSettings.fill({ issuerUrl: typed, clientId: idp.clientId, clientSecret: 'Xy8Q~abc.def_ghi-jkl' });
    await ssoSettings.submit();
    await expect(ssoSettings.formError()).toContainText('Nothing was saved');
    expect(await ssoSettings.fieldError('Issuer URL')).toContain('differ only by a trailing slash or letter case');
    const use = ssoSettings.useIssuerButton(`${typed}/`);
    await expect(use).toBeVisible();
    await expectNoAxeViolations(page, '/settings/sso (issuer fix offered)');
    await screenshotFor(
      page,
      'issuer-fix-desktop',
      page.getByRole('heading', { name: 'Configure your identity provider' }),
    );
    await screenshotFor(page, 'issuer-fix-narrow', ssoSettings.formError());

    await use.click();
    await expect(ssoSettings.issuerUrl()).toHaveValue(`${typed}/`);
    await expect(use).toHaveCount(0);
    // The error is gone; the secret (never sent back) is the one thing left to type, so the keyboard is there.
    expect(await ssoSettings.fieldError('Issuer URL')).toContain('Issuer URL set to');
    await expect(ssoSettings.clientSecret()).toBeFocused();
    await ssoSettings.save({ clientSecret: 'Xy8Q~abc.def_ghi-jkl' });
    await expect(ssoSettings.status()).toHaveText(/Connection saved/);
    await page.reload();
    await expect(ssoSettings.issuerUrl()).toHaveValue(`${typed}/`);
  });

  test('trailing slash without JavaScript: "Use <issuer>" comes back with the issuer filled in', async ({
    adminPage,
    browser,
    e2e,
    idp,
  }) => {
    const typed = op.serve(`/nojs-${test.info().workerIndex}`, (url) => `${url}/`);
    await withoutJavaScript(browser, e2e.baseUrl, adminPage, async (page) => {
      await page.goto('/settings/sso/new');
      await page.getByLabel('Issuer URL', { exact: true }).fill(typed);
      await page.getByLabel('Client ID', { exact: true }).fill(idp.clientId);
      await page.getByLabel('Client secret', { exact: true }).fill('s3cret-value');
      await page.getByRole('button', { name: 'Create connection' }).click();
      await page.getByRole('button', { name: `Use ${typed}/`, exact: true }).click();
      await expect(page.getByLabel('Issuer URL', { exact: true })).toHaveValue(`${typed}/`);
      await expect(page.getByLabel('Client ID', { exact: true })).toHaveValue(idp.clientId);
      await expect(page.getByText('Client secret is required')).toBeVisible();
      await page.getByLabel('Client secret', { exact: true }).fill('s3cret-value');
      await page.getByRole('button', { name: 'Create connection' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Connection saved' })).toBeVisible();
    });
  });

  test('Microsoft Entra common issuer: refused, saying which issuer to use', async ({
    adminPage: page,
    ssoSettings,
    idp,
  }) => {
    // Microsoft's multi-tenant metadata names its issuer with a literal {tenantid} placeholder.
    const common = op.serve('/common/v2.0', () => 'https://login.microsoftonline.com/{tenantid}/v2.0');
    await ssoSettings.goto();
    await ssoSettings.fill({ issuerUrl: common, clientId: idp.clientId, clientSecret: 'Xy8Q~abc.def_ghi-jkl' });
    await ssoSettings.submit();
    await expect(ssoSettings.formError()).toContainText('Nothing was saved');
    const message = await ssoSettings.fieldError('Issuer URL');
    expect(message).toContain('multi-tenant address');
    expect(message).toContain('https://login.microsoftonline.com/<your tenant ID>/v2.0');
    expect(message).toContain('Overview page of the Microsoft Entra admin center');
    await expect(page.getByRole('button', { name: /^Use / })).toHaveCount(0);
  });

  test('a pasted discovery document address is trimmed to the issuer, with a note', async ({
    adminPage: page,
    ssoSettings,
    idp,
  }) => {
    await ssoSettings.goto();
    await ssoSettings.save({
      issuerUrl: `${idp.issuer}/.well-known/openid-configuration`,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
    });
    await expect(ssoSettings.issuerUrl()).toHaveValue(idp.issuer);
    expect(await ssoSettings.fieldError('Issuer URL')).toContain(`it was trimmed to the issuer: “${idp.issuer}”`);
    await expect(page.getByRole('heading', { name: 'Current configuration' })).toBeVisible();
    await expect(page.locator('dd').filter({ hasText: idp.issuer })).toHaveText(idp.issuer);
  });
});
