/**
 * Setup links end to end: the admin creates one; the customer's IT admin opens it in a fresh browser, says who
 * they are, lands on the connections page with the reduced setup chrome, creates a connection, tests it through the
 * IdP (the result comes back to the connection's page) and is refused on admin-only pages; neither the link's token
 * nor the setup session token it was exchanged for reaches the browser after the redeem, and the link's token is
 * no API credential; the admin sees the use, revokes the link, and the IT admin's next navigation is refused with a
 * clear message.
 */
import type { Page } from '@playwright/test';
import { NetworkRecorder } from './support/network-recorder';
import { expectNoAxeViolations } from './support/axe';
import { screenshotFor } from './support/screenshots';
import { expect, IdpLoginPage, SsoSettingsPage, test } from './fixtures';
import { createConnection } from './support/grantex-api';

const IT_ADMIN = { name: 'Iris IT', email: 'iris@customer.example' };
const CONNECTION = 'Okta (set up by IT)';

async function gotoSetupLinks(page: Page) {
  await page.goto('/settings/sso/setup-links');
  await expect(page.getByRole('heading', { name: 'Setup links', level: 1 })).toBeVisible();
}

test('a setup link configures SSO for its org only, shows who used it, and stops working when revoked', async ({
  browser,
  adminPage,
  freshOrg,
  idp,
  e2e,
}) => {
  test.setTimeout(120_000);
  let url = '';
  let token = '';

  await test.step('the admin creates a 24-hour link and sees its URL once, with a warning', async () => {
    await gotoSetupLinks(adminPage);
    await adminPage.getByLabel('Expires after').selectOption('24');
    await adminPage.getByLabel('Label').fill('Okta rollout');
    await adminPage.getByRole('button', { name: 'Create setup link' }).click();
    const created = adminPage.locator('#created-setup-link');
    await expect(created).toBeVisible();
    await expect(adminPage.getByText('it is shown only once')).toBeVisible();
    url = (await created.innerText()).trim();
    token = new URL(url).pathname.split('/').pop() ?? '';
    expect(token).toMatch(/^gxsetup_[A-Za-z0-9_-]{43}$/);
    const row = adminPage.getByRole('listitem', { name: 'Okta rollout' });
    await expect(row.getByText('active')).toBeVisible();
    await expect(row.getByText('Not used yet.')).toBeVisible();
    await expectNoAxeViolations(adminPage, '/settings/sso/setup-links (a link just created)');
    // Reloaded, the page no longer shows the link: it was shown once.
    await gotoSetupLinks(adminPage);
    expect(await adminPage.content()).not.toContain(token);
  });

  const itContext = await browser.newContext();
  const it = await itContext.newPage();
  const recorder = new NetworkRecorder();
  try {
    await test.step('the IT admin opens the link, says who they are, and lands on the SSO page', async () => {
      await it.goto(new URL(url).pathname);
      await expect(it.getByRole('heading', { name: `Set up single sign-on for ${freshOrg.name}` })).toBeVisible();
      await expect(it.getByText('does not show the organization’s API keys')).toBeVisible();
      await expectNoAxeViolations(it, '/setup/[token]');
      await screenshotFor(it, 'setup-landing-desktop');
      await it.getByLabel('Your name').fill(IT_ADMIN.name);
      await it.getByLabel('Your work email').fill(IT_ADMIN.email);
      recorder.attach(itContext);
      await it.getByRole('button', { name: 'Continue to SSO setup' }).click();
      await expect(it).toHaveURL(/\/settings\/sso$/);
      expect(it.url(), 'the token left the address bar').not.toContain(token);
      const banner = it.getByRole('note', { name: 'Setup link' });
      await expect(banner).toContainText(`Setting up SSO for ${freshOrg.name}`);
      await expect(banner).toContainText(`as ${IT_ADMIN.name} — link expires`);
      // Reduced navigation: no admin-only pages offered.
      await expect(it.getByRole('navigation', { name: 'Settings' }).getByRole('link')).toHaveText([
        'SSO connections',
        'Directory sync',
      ]);
    });

    await test.step('the IT admin creates a connection and tests it through the IdP; the result lands on its page', async () => {
      const sso = new SsoSettingsPage(it);
      await sso.gotoList();
      await sso.addConnectionLink().click();
      await sso.save({
        name: CONNECTION,
        issuerUrl: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
      });
      await expect(it.getByRole('heading', { level: 1, name: CONNECTION })).toBeVisible();
      const connectionUrl = it.url();
      expect((await sso.readOidcConnection()).issuerUrl).toBe(idp.issuer);
      // The connection has its own redirect URI, shown on its page.
      expect((await sso.readOidcConnection()).redirectUri).toMatch(/\/sso\/callback\/[A-Za-z0-9_-]{22}$/);
      await expect(sso.deleteButton(), 'deleting stays with the admin').toHaveCount(0);

      const tab = await sso.testSignIn();
      await new IdpLoginPage(tab).signIn(idp.user, idp.issuer);
      await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
      await expect(tab.getByText(idp.user.email).first()).toBeVisible();
      await tab.getByRole('link', { name: 'Back to the connection' }).click();
      await expect(tab).toHaveURL(connectionUrl);
      await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
      await tab.close();
      await expect(it.getByText('Test sign-in succeeded')).toBeVisible();
    });

    await test.step('the IT admin moves a connection from the shared redirect URI to its own', async () => {
      const legacy = await createConnection(e2e.grantexUrl, freshOrg.apiKey, {
        name: 'Legacy IdP',
        issuerUrl: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        redirectUri: `${e2e.baseUrl}/sso/callback`,
        status: 'testing',
      });
      const sso = new SsoSettingsPage(it);
      await sso.openConnection('Legacy IdP');
      await expect(sso.sharedRedirectNotice()).toBeVisible();
      await sso.moveToOwnRedirectUriButton().click();
      await expect(it).toHaveURL(/\?moved=1$/);
      await expect(sso.sharedRedirectNotice()).toHaveCount(0);
      await expect(sso.redirectUri()).toHaveValue(`${e2e.baseUrl}/sso/callback/${legacy.id}`);
    });

    await test.step('admin-only pages refuse the setup session with a clear message', async () => {
      await it.goto('/settings/sso/setup-links');
      await expect(it).toHaveURL(/\/setup\/restricted$/);
      await expect(it.getByRole('heading', { name: 'Not available with a setup link' })).toBeVisible();
      await expect(
        it.getByText('lets you configure and test this organization’s SSO connections only, and connect its directory'),
      ).toBeVisible();
      await it.getByRole('link', { name: 'Back to SSO setup' }).click();
      await expect(it).toHaveURL(/\/settings\/sso$/);
    });

    await test.step('after the redeem, neither the link token nor a setup session token reaches the browser', async () => {
      expect(await it.content()).not.toContain(token);
      // The session token is unknown to the test: any string with its prefix would be one.
      const { findings, responses } = await recorder.findSecrets({
        'setup token': token,
        'setup session token': 'gxsetupsess_',
      });
      expect(responses).toBeGreaterThan(3);
      expect(findings).toEqual([]);
      // The control: the recorder does see what the pages show.
      const control = await recorder.findSecrets({ 'developer ID': freshOrg.developerId, 'IT admin': IT_ADMIN.name });
      expect(control.findings.filter((f) => f.startsWith('developer ID')).length).toBeGreaterThan(0);
      expect(control.findings.filter((f) => f.startsWith('IT admin')).length).toBeGreaterThan(0);
    });

    await test.step("the link's token is no API credential: Grantex refuses it as a Bearer", async () => {
      const res = await fetch(`${e2e.grantexUrl}/v1/sso/connections`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(403);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code).toBe('FORBIDDEN');
      expect(body.message).toMatch(/not an API credential/);
      expect(JSON.stringify(body)).not.toContain(CONNECTION);
    });

    await test.step('the admin sees who used the link and when, sees the saved connection, and revokes the link', async () => {
      await gotoSetupLinks(adminPage);
      const row = adminPage.getByRole('listitem', { name: 'Okta rollout' });
      // Who, and when (the use's time, in UTC).
      await expect(row.getByText(`${IT_ADMIN.name} (${IT_ADMIN.email})`)).toContainText(/ — .+ UTC$/);
      await row.getByRole('link', { name: /Revoke/ }).click();
      await adminPage.getByRole('button', { name: 'Revoke link' }).click();
      await expect(adminPage.getByText('Setup link revoked.')).toBeVisible();
      await expect(
        adminPage.getByRole('listitem', { name: 'Okta rollout' }).getByText('revoked', { exact: true }),
      ).toBeVisible();
      const admin = new SsoSettingsPage(adminPage);
      await admin.openConnection(CONNECTION);
      expect((await admin.readOidcConnection()).issuerUrl).toBe(idp.issuer);
    });

    await test.step("the IT admin's next navigation is refused with a clear message", async () => {
      await it.goto('/settings/sso');
      await expect(it).toHaveURL(/\/setup\/ended$/);
      await expect(it.getByRole('heading', { name: 'Your setup link has ended' })).toBeVisible();
      await expect(it.getByText('expired or was revoked')).toBeVisible();
      // The link itself is dead too.
      await it.goto(new URL(url).pathname);
      await expect(it.getByText('This setup link cannot be used')).toBeVisible();
    });
  } finally {
    await itContext.close();
  }
});
