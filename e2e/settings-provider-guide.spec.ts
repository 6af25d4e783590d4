/**
 * The provider picker on /settings/sso: a radio group whose chosen provider's guide (where to create the app,
 * what to copy, the issuer's shape, the scopes, our redirect URI with a copy button) is shown by CSS alone,
 * so it also works with JavaScript off.
 */
import { test, expect } from './fixtures';
import { expectNoAxeViolations } from './support/axe';
import { withoutJavaScript } from './support/no-js';
import { screenshotFor } from './support/screenshots';

test.describe('provider setup guide', () => {
  test('choose a provider, read its guide, copy the redirect URI; keyboard and axe', async ({
    adminPage: page,
    ssoSettings,
    e2e,
  }) => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await ssoSettings.goto();
    await expect(page.getByRole('group', { name: 'Identity provider' })).toBeVisible();
    // Nothing chosen yet: no guide, no guide's redirect URI copy button.
    await expect(ssoSettings.providerGuide('Okta')).toBeHidden();
    await expect(ssoSettings.copyRedirectUriButton()).toHaveCount(0);

    await ssoSettings.providerRadio('Microsoft Entra ID').check();
    const entra = ssoSettings.providerGuide('Microsoft Entra ID');
    await expect(entra).toBeVisible();
    await expect(entra).toContainText('App registrations → New registration');
    await expect(entra).toContainText('https://login.microsoftonline.com/<tenant-id>/v2.0');
    await expect(entra).toContainText('openid email profile');
    // The redirect URI to register is the new connection's own, the one the form below sends.
    const ownRedirectUri = await ssoSettings.redirectUri().inputValue();
    expect(ownRedirectUri).toMatch(new RegExp(`^${e2e.baseUrl}/sso/callback/[A-Za-z0-9_-]{22}$`));
    await expect(entra.getByText(ownRedirectUri, { exact: true })).toBeVisible();
    await expect(ssoSettings.providerGuide('Okta')).toBeHidden();
    await screenshotFor(
      page,
      'provider-guide-entra-desktop',
      page.getByRole('heading', { name: 'Provider setup guide' }),
    );

    await entra.getByRole('button', { name: 'Copy redirect URI' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(ownRedirectUri);

    // A radio group: arrow keys move the choice, and the guide follows.
    await ssoSettings.providerRadio('Microsoft Entra ID').focus();
    await page.keyboard.press('ArrowRight');
    await expect(ssoSettings.providerRadio('Google Workspace')).toBeChecked();
    await expect(ssoSettings.providerGuide('Google Workspace')).toContainText('https://accounts.google.com');
    await expect(entra).toBeHidden();

    await ssoSettings.providerRadio('Auth0').check();
    await expect(ssoSettings.providerGuide('Auth0')).toContainText('https://<tenant>.auth0.com/');
    await ssoSettings.providerRadio('Okta').check();
    await expect(ssoSettings.providerGuide('Okta')).toContainText('https://<your-okta-domain>/oauth2/default');
    await ssoSettings.providerRadio('Keycloak').check();
    await expect(ssoSettings.providerGuide('Keycloak')).toContainText('https://<host>/realms/<realm>');
    await ssoSettings.providerRadio('Other OIDC provider').check();
    await expect(ssoSettings.providerGuide('Other OIDC provider')).toContainText('.well-known/openid-configuration');
    await expectNoAxeViolations(page, '/settings/sso (provider guide open)');
  });

  test('works without JavaScript: ?provider= preselects, and choosing another shows its guide', async ({
    adminPage,
    browser,
    e2e,
  }) => {
    await withoutJavaScript(browser, e2e.baseUrl, adminPage, async (page) => {
      await page.goto('/settings/sso/new?provider=auth0');
      const auth0 = page.getByRole('region', { name: 'Auth0 setup', exact: true });
      await expect(auth0).toBeVisible();
      await expect(auth0).toContainText('Allowed Callback URLs');
      await page.getByRole('radio', { name: 'Keycloak', exact: true }).check();
      await expect(page.getByRole('region', { name: 'Keycloak setup', exact: true })).toBeVisible();
      await expect(auth0).toBeHidden();
    });
  });

  test('narrow screen: the chips wrap and long values break instead of overflowing', async ({
    adminPage: page,
    ssoSettings,
  }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await ssoSettings.goto('okta');
    const okta = ssoSettings.providerGuide('Okta');
    await expect(okta).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshotFor(page, 'provider-guide-okta-narrow', page.getByRole('group', { name: 'Identity provider' }));
  });
});
