/**
 * Several connections per organization in the console: the list at /settings/sso, "new", and each
 * connection's page (edit, status, delete with confirmation), against the real stack. The dev IdP has one
 * client, so both connections use it under two names (enough for the console; routing between IdPs is
 * another spec's business).
 */
import { test, expect, IdpLoginPage } from './fixtures';
import { createConnection, signUp } from './support/grantex-api';
import { expectNoAxeViolations } from './support/axe';
import { withoutJavaScript } from './support/no-js';
import { screenshotFor } from './support/screenshots';

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
    await ssoSettings.fill({
      name: SECOND,
      issuerUrl: 'http://127.0.0.1:9',
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
    });
    await ssoSettings.submit();
    await expect(ssoSettings.formError()).toContainText('Nothing was saved');
    await expect(ssoSettings.name()).toHaveValue(SECOND);
    await expect(ssoSettings.clientSecret()).toHaveValue('');
    await expect(ssoSettings.statusRadio('Testing')).toBeChecked();
    expect(await page.content()).not.toContain(idp.clientSecret);
    // Provisioning: just-in-time on by default; a bad mapping line is refused next to its field, keeping what was typed.
    await expect(ssoSettings.jitRadio('on')).toBeChecked();
    await ssoSettings.jitRadio('off').check();
    await ssoSettings.groupAttribute().fill('groups');
    const badMappings = 'engineering: repo:read deploy\nadmins';
    await ssoSettings.groupMappings().fill(badMappings);
    await ssoSettings.defaultScopes().fill('profile:read');
    await ssoSettings.fill({ clientSecret: idp.clientSecret });
    await ssoSettings.submit();
    expect(await ssoSettings.fieldError('Group → scopes')).toMatch(/^Line 2: write it as “group: scope1 scope2”/);
    await expect(ssoSettings.groupMappings()).toHaveValue(badMappings);
    await expect(ssoSettings.jitRadio('off')).toBeChecked();
    await ssoSettings.groupMappings().fill('engineering: repo:read deploy\nadmins: admin');
    await ssoSettings.save({ ...secrets });
    await expect(page.getByRole('heading', { level: 1, name: SECOND })).toBeVisible();
    // The page shows them, and the form edits them.
    await expect(page.getByText('Off: only members who signed in before').first()).toBeVisible();
    await expect(page.getByRole('list', { name: 'Group to scopes mappings' })).toContainText(
      'engineering: repo:read deploy',
    );
    await expect(page.getByRole('list', { name: 'Group to scopes mappings' })).toContainText('admins: admin');
    await expect(ssoSettings.groupMappings()).toHaveValue('engineering: repo:read deploy\nadmins: admin');
    await expect(ssoSettings.defaultScopes()).toHaveValue('profile:read');
    await expect(ssoSettings.jitRadio('off')).toBeChecked();

    await ssoSettings.gotoList();
    await expect(ssoSettings.connectionsTable().getByRole('row')).toHaveCount(3); // header + two
    await expect(ssoSettings.row(FIRST)).toContainText('OIDC');
    await expect(ssoSettings.row(FIRST)).toContainText('Active');
    await expect(ssoSettings.row(FIRST)).toContainText('Default');
    await expect(ssoSettings.row(SECOND)).toContainText('Testing');
    await expect(ssoSettings.row(SECOND)).not.toContainText('Default');
    expect(await page.content()).not.toContain(idp.clientSecret);
    await expectNoAxeViolations(page, '/settings/sso (two connections)');
    await screenshotFor(page, 'connections-desktop', ssoSettings.listHeading());

    // Edit the second one's name (the secret left blank keeps the saved one), then its status.
    await ssoSettings.openConnection(SECOND);
    const connectionUrl = page.url();
    const connectionId = decodeURIComponent(new URL(connectionUrl).pathname.split('/').pop() ?? '');
    // The test sign-in form says which connection it is for.
    await expect(page.locator('form[action="/sso/start"] input[name="connectionId"]')).toHaveValue(connectionId);
    expect(await page.content()).not.toContain(idp.clientSecret);
    await expectNoAxeViolations(page, '/settings/sso/[connectionId]');

    // A test sign-in on this Testing connection runs through it (Grantex's test sign-in takes any status), and
    // its result comes back to this connection's page, not to the other one's.
    const tab = await ssoSettings.testSignIn();
    await new IdpLoginPage(tab).signIn(idp.user, idp.issuer);
    await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
    await tab.getByRole('link', { name: 'Back to the connection' }).click();
    await expect(tab).toHaveURL(connectionUrl);
    await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
    await tab.close();
    await expect(page.getByText('Test sign-in succeeded')).toBeVisible();
    await ssoSettings.openConnection(FIRST);
    await expect(page.getByText('Test sign-in succeeded')).toHaveCount(0);
    // The last 24 hours: the test sign-in (the log is written off the request path, within a moment), and the way
    // to this connection's activity.
    const lastDay = page.getByRole('region', { name: `Last 24 hours of ${SECOND}` });
    await expect(async () => {
      await ssoSettings.openConnection(SECOND);
      await expect(lastDay).toContainText('1 successful sign-in', { timeout: 2_000 });
    }).toPass({ timeout: 20_000 });
    await expect(lastDay).toContainText('0 failed sign-ins');
    await lastDay.getByRole('link', { name: 'Sign-in activity of this connection' }).click();
    await page.waitForURL((url) => url.pathname === '/settings/sso/activity');
    expect(new URL(page.url()).searchParams.get('connectionId')).toBe(connectionId);
    await expect(page.getByRole('list', { name: 'Sign-in attempts' }).getByRole('listitem')).toHaveCount(1);
    await page.goto(connectionUrl);
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

  test('an unknown id and another organization’s connection are the not-found page', async ({
    adminPage: page,
    idp,
    e2e,
  }) => {
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
      // The move from the shared redirect URI is a plain form too.
      await page.getByRole('button', { name: 'Move to this connection’s own redirect URI' }).click();
      await expect(page).toHaveURL(/\?moved=1$/);
      await expect(page.getByLabel('Redirect URI', { exact: true })).toHaveValue(
        /\/sso\/callback\/[A-Za-z0-9_-]{8,64}$/,
      );
      await page.goto('/settings/sso');
      await expect(table.getByRole('row').filter({ hasText: `${FIRST} renamed` })).toContainText('Testing');
    });
  });

  test('a connection on the shared redirect URI moves to its own in one step; its test sign-in then comes back there', async ({
    adminPage: page,
    ssoSettings,
    idp,
    e2e,
    freshOrg,
  }) => {
    const shared = `${e2e.baseUrl}/sso/callback`;
    const legacy = await createConnection(e2e.grantexUrl, freshOrg.apiKey, {
      name: FIRST,
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri: shared,
    });
    const own = `${e2e.baseUrl}/sso/callback/${legacy.id}`;

    // The list's addresses card names the connection's registered URI and points to the move.
    await ssoSettings.gotoList();
    const addresses = page
      .locator('section')
      .filter({ has: page.getByRole('heading', { name: 'Your console’s addresses' }) });
    await expect(addresses.getByText(shared, { exact: true })).toBeVisible();
    await addresses.getByRole('link', { name: `Move ${FIRST} to its own redirect URI` }).click();

    // The connection's page explains, shows the address to add at the IdP, and offers the move.
    await expect(page.getByRole('heading', { level: 1, name: FIRST })).toBeVisible();
    const notice = ssoSettings.sharedRedirectNotice();
    await expect(notice).toContainText(`It is registered at ${shared}`);
    await expect(notice).toContainText(`Add ${own} at your identity provider, then move.`);
    await expect(ssoSettings.redirectUri()).toHaveValue(shared);
    await expectNoAxeViolations(page, '/settings/sso/[id] (shared redirect URI notice)');

    await ssoSettings.moveToOwnRedirectUriButton().click();
    await expect(page).toHaveURL(/\?moved=1$/);
    await expect(
      page.getByRole('status').filter({ hasText: 'This connection now uses its own redirect URI' }),
    ).toBeVisible();
    await expect(notice).toHaveCount(0);
    await expect(ssoSettings.redirectUri()).toHaveValue(own);
    await expect(page.locator('dl').first().getByText(own, { exact: true })).toBeVisible();
    // The provider guide shows the same address to register.
    await ssoSettings.providerRadio('Okta').check();
    await expect(ssoSettings.providerGuide('Okta').getByText(own, { exact: true })).toBeVisible();

    // A test sign-in now starts with the connection's own redirect URI and comes back there.
    let testCallback = '';
    page.context().on('request', (req) => {
      const url = new URL(req.url());
      if (url.pathname.startsWith('/sso/callback') && url.searchParams.has('code'))
        testCallback = `${url.origin}${url.pathname}`;
    });
    const tab = await ssoSettings.testSignIn();
    await new IdpLoginPage(tab).signIn(idp.user, idp.issuer);
    await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
    expect(testCallback).toBe(own);
  });
});
