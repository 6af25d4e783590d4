/**
 * Sign-in activity: failed (wrong secret, cancelled at the IdP) and successful test sign-ins appear
 * with their reasons and traces;
 * the outcome filter and the CSV export work; the audit trail shows the config change.
 */
import { expect, IdpLoginPage, test } from './fixtures';
import { expectNoAxeViolations } from './support/axe';
import { screenshotFor } from './support/screenshots';

test.describe('sign-in activity', () => {
  test('a failed and a successful test sign-in, their reasons and traces, filters, CSV, audit trail', async ({
    adminPage,
    ssoSettings,
    idp,
  }) => {
    // A wrong client secret passes the issuer check and fails at the token endpoint.
    await ssoSettings.goto();
    await ssoSettings.save({
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: `${idp.clientSecret}-wrong`,
    });
    let tab = await ssoSettings.testSignIn();
    await new IdpLoginPage(tab).signIn(idp.user, idp.issuer);
    await expect(tab.getByText(/Test sign-in failed/)).toBeVisible();
    await tab.close();

    await ssoSettings.goto();
    await ssoSettings.save({ issuerUrl: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    // Cancel at the IdP: the console reports the IdP's error to the sign-in log.
    tab = await ssoSettings.testSignIn();
    await new IdpLoginPage(tab).cancel();
    await expect(tab.getByText(/Test sign-in failed: At your identity provider/)).toBeVisible();
    await tab.close();

    await ssoSettings.goto();
    tab = await ssoSettings.testSignIn();
    await new IdpLoginPage(tab).signIn(idp.user, idp.issuer);
    await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
    await tab.close();

    // Events are written within a fraction of a second.
    const attempts = adminPage.getByRole('list', { name: 'Sign-in attempts' }).getByRole('listitem');
    // Two saves and two test sign-ins through the IdP before the page itself: more than one default budget.
    test.setTimeout(120_000);
    await expect(async () => {
      await adminPage.goto('/settings/sso/activity');
      await expect(attempts).toHaveCount(3);
    }).toPass({ timeout: 10_000 });
    await expect(adminPage.getByRole('heading', { name: 'Sign-in activity' })).toBeVisible();

    const refused = attempts.filter({ hasText: 'The identity provider refused the sign-in' });
    await refused.locator('summary').first().click();
    await expect(refused).toContainText('access_denied');

    const failed = attempts.filter({ hasText: 'rejected the client credentials' });
    await expect(failed).toContainText('The identity provider rejected the client credentials');
    await failed.locator('summary').first().click();
    await expect(failed).toContainText('token_client_auth_rejected');
    await expect(failed).toContainText('Compare the client ID, secret and issuer');

    const succeeded = attempts.filter({ hasText: 'Succeeded' });
    await expect(succeeded).toContainText(idp.user.email);
    await succeeded.locator('summary').first().click();
    await expect(succeeded.locator('pre')).toContainText('"claimsVerified": true');
    await expect(succeeded.locator('pre')).not.toContainText('nonce');
    await expectNoAxeViolations(adminPage, '/settings/sso/activity (a trace open)');
    await screenshotFor(adminPage, 'activity-desktop', adminPage.getByRole('heading', { name: 'Sign-in activity' }));

    await adminPage.getByLabel('Outcome').selectOption('failure');
    await adminPage.getByRole('button', { name: 'Apply filters' }).click();
    await expect(adminPage).toHaveURL(/outcome=failure/);
    await expect(attempts).toHaveCount(2);

    const csv = await adminPage.request.get('/settings/sso/activity/export?outcome=failure');
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const text = await csv.text();
    expect(text.trimEnd().split('\r\n')).toHaveLength(3);
    expect(text).toContain('token_client_auth_rejected');
    expect(text).not.toContain(idp.clientSecret);

    const changes = adminPage.getByRole('list', { name: 'Changes' }).getByRole('listitem');
    // The second save replaced only the secret (same issuer, client and redirect): the change names just that field.
    await expect(changes.first()).toContainText('connection.updated');
    await expect(changes.first()).toContainText(/changed: clientSecret(?!,)/);

    // The full audit trail: the same change, and a filter by action that keeps only the connection's updates.
    await adminPage.getByRole('link', { name: 'Full audit trail' }).click();
    await expect(adminPage.getByRole('heading', { name: 'Audit trail', level: 1 })).toBeVisible();
    await adminPage.getByLabel('Action').selectOption('connection.updated');
    await adminPage.getByRole('button', { name: 'Filter' }).click();
    await expect(adminPage).toHaveURL(/[?&]action=connection\.updated/);
    const filtered = adminPage.getByRole('list', { name: 'Changes' }).getByRole('listitem');
    await expect(filtered.first()).toContainText(/changed: clientSecret(?!,)/);
    for (const text of await filtered.allInnerTexts()) expect(text).toContain('connection.updated');
    await expectNoAxeViolations(adminPage, '/settings/sso/audit (filtered)');
  });
});
