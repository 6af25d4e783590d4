/**
 * Several connections per organization in the console: the list at /settings/sso, "new", and each
 * connection's page (edit, status, delete with confirmation), against the real stack. The dev IdP has one
 * client, so both connections use it under two names (enough for the console; routing between IdPs is
 * another spec's business).
 */
import { test, expect } from './fixtures';
import { createConnection, signUp } from './support/grantex-api';
import { expectNoAxeViolations } from './support/axe';
import { withoutJavaScript } from './support/no-js';

const FIRST = 'Okta (production)';
const SECOND = 'Staging IdP';
const RENAMED = 'Staging IdP (EU)';

test.describe('SSO connections', () => {
  test('two connections: list, edit name and status, secret never in the page, delete with confirmation', async ({
    adminPage: page,
    ssoSettings,
    idp,
  }) => {
    // Four axe runs and a dozen page loads: slow on a busy machine.
    test.setTimeout(240_000);
    const secrets = { issuerUrl: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret };

    await ssoSettings.gotoList();
    await expectNoAxeViolations(page, '/settings/sso (no connections)');
    await ssoSettings.addConnectionLink().click();
    // The first connection takes member logins at once; the hint says why.
    await expect(ssoSettings.statusRadio('Active')).toBeChecked();
    await expect(page.getByText('Your first connection starts as Active')).toBeVisible();
    await ssoSettings.save({ name: FIRST, ...secrets });
    await expect(page.getByRole('heading', { level: 1, name: FIRST })).toBeVisible();

    await ssoSettings.gotoList();
    await ssoSettings.addConnectionLink().click();
    // Later ones start in testing, so members keep using the first until this one is tried.
    await expect(ssoSettings.statusRadio('Testing')).toBeChecked();
    await expect(page.getByText(/Starts as Testing so members keep signing in/)).toBeVisible();
    // A refused save keeps what was typed, except the secret, and never puts the secret in the page.
    await ssoSettings.fill({ name: SECOND, issuerUrl: 'http://127.0.0.1:9', clientId: idp.clientId, clientSecret: idp.clientSecret });
    await ssoSettings.submit();
    await expect(ssoSettings.formError()).toContainText('Nothing was saved');
    await expect(ssoSettings.name()).toHaveValue(SECOND);
    await expect(ssoSettings.clientSecret()).toHaveValue('');
    await expect(ssoSettings.statusRadio('Testing')).toBeChecked();
    expect(await page.content()).not.toContain(idp.clientSecret);
    await ssoSettings.save({ ...secrets });
    await expect(page.getByRole('heading', { level: 1, name: SECOND })).toBeVisible();

    await ssoSettings.gotoList();
    await expect(ssoSettings.connectionsTable().getByRole('row')).toHaveCount(3); // header + two
    await expect(ssoSettings.row(FIRST)).toContainText('OIDC');
    await expect(ssoSettings.row(FIRST)).toContainText('Active');
    await expect(ssoSettings.row(FIRST)).toContainText('Default');
    await expect(ssoSettings.row(SECOND)).toContainText('Testing');
    await expect(ssoSettings.row(SECOND)).not.toContainText('Default');
    expect(await page.content()).not.toContain(idp.clientSecret);
    await expectNoAxeViolations(page, '/settings/sso (two connections)');

    // Edit the second one's name (the secret left blank keeps the saved one), then its status.
    await ssoSettings.openConnection(SECOND);
    const connectionUrl = page.url();
    const connectionId = decodeURIComponent(new URL(connectionUrl).pathname.split('/').pop() ?? '');
    // The test sign-in form says which connection it is for.
    await expect(page.locator('form[action="/sso/start"] input[name="connectionId"]')).toHaveValue(connectionId);
    await expect(page.getByText('For now the test sign-in runs through your default connection')).toBeVisible();
    expect(await page.content()).not.toContain(idp.clientSecret);
    await expectNoAxeViolations(page, '/settings/sso/[connectionId]');
    await ssoSettings.save({ name: RENAMED });
    await expect(ssoSettings.status()).toHaveText(/Connection saved/);
    await expect(page.getByRole('heading', { level: 1, name: RENAMED })).toBeVisible();

    await expect(ssoSettings.statusRadio('Testing')).toBeChecked();
    await ssoSettings.statusRadio('Inactive').check();
    await ssoSettings.updateStatusButton().click();
    await expect(page.getByRole('status').filter({ hasText: 'Status set to Inactive' })).toBeVisible();
    await page.reload();
    await expect(ssoSettings.statusRadio('Inactive')).toBeChecked();
    expect(await page.content()).not.toContain(idp.clientSecret);

    await ssoSettings.gotoList();
    await expect(ssoSettings.row(RENAMED)).toContainText('Inactive');
    await expect(ssoSettings.row(FIRST)).toContainText('Active');

    // Delete the second: a non-default connection says nothing about ?org= links. Cancel first, then confirm.
    await ssoSettings.openConnection(RENAMED);
    await ssoSettings.deleteButton().click();
    await expect(ssoSettings.dialog()).toContainText(`through “${RENAMED}”`);
    await expect(ssoSettings.dialog()).not.toContainText('?org=');
    await ssoSettings.dialog().getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(ssoSettings.dialog()).toBeHidden();
    await expect(page).toHaveURL(connectionUrl);
    await ssoSettings.delete({ confirm: true });
    await expect(page.getByRole('status').filter({ hasText: 'Connection deleted' })).toBeVisible();
    await expect(ssoSettings.row(RENAMED)).toHaveCount(0);
    await expect(ssoSettings.row(FIRST)).toHaveCount(1);

    // Its page is gone: the console's not-found page.
    await page.goto(connectionUrl);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  });

  test('an unknown id and another organization’s connection are the not-found page', async ({ adminPage: page, idp, e2e }) => {
    test.skip(e2e.external, 'creates a second organization');
    const other = await signUp(e2e.grantexUrl, `connections other org ${test.info().workerIndex}`);
    const theirs = await createConnection(e2e.grantexUrl, other.apiKey, {
      name: 'Not yours',
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri: `${e2e.baseUrl}/sso/callback`,
    });
    for (const id of ['sso_doesnotexist', theirs.id]) {
      const res = await page.goto(`/settings/sso/${encodeURIComponent(id)}`);
      expect(res?.status(), id).toBe(404);
      await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
      expect(await page.content()).not.toContain('Not yours');
    }
  });

  test('the list and a connection page work without JavaScript', async ({ adminPage, browser, e2e, idp, freshOrg }) => {
    await createConnection(e2e.grantexUrl, freshOrg.apiKey, {
      name: FIRST,
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri: `${e2e.baseUrl}/sso/callback`,
    });
    await withoutJavaScript(browser, e2e.baseUrl, adminPage, async (page) => {
      await page.goto('/settings/sso');
      const table = page.getByRole('table', { name: 'Your organization’s SSO connections' });
      await table.getByRole('link', { name: FIRST, exact: true }).click();
      await expect(page.getByRole('heading', { level: 1, name: FIRST })).toBeVisible();
      await page.getByRole('radio', { name: 'Testing', exact: true }).check();
      await page.getByRole('button', { name: 'Update status' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Status set to Testing' })).toBeVisible();
      await page.getByLabel('Name', { exact: true }).fill(`${FIRST} renamed`);
      await page.getByRole('button', { name: 'Save connection' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Connection saved' })).toBeVisible();
      await page.goto('/settings/sso');
      await expect(table.getByRole('row').filter({ hasText: `${FIRST} renamed` })).toContainText('Testing');
    });
  });
});
