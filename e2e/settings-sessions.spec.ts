/**
 * /settings/sso/sessions: a member signs in through the dev IdP (their page shows the session's expiry), the
 * admin sees the session in the table and revokes it (confirmation, then the row is gone) — with JavaScript
 * and without it.
 */
import type { Browser, Page } from '@playwright/test';
import { GrantexClient } from '@/lib/grantex';
import { test, expect, IdpLoginPage, MemberLoginPage, type IdpSettings, type Org } from './fixtures';
import { expectNoAxeViolations } from './support/axe';
import { screenshotFor } from './support/screenshots';

/** The org's default connection on the dev IdP, through the Grantex client. */
async function configure(grantexUrl: string, baseUrl: string, org: Org, idp: IdpSettings): Promise<GrantexClient> {
  const client = new GrantexClient({ baseUrl: grantexUrl, apiKey: org.apiKey });
  await client.sso.createConfig({
    issuerUrl: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    redirectUri: `${baseUrl}/sso/callback`,
  });
  return client;
}

/** A member signs in in their own browser context; their page shows the SSO session. */
async function memberSignsIn(browser: Browser, baseUrl: string, org: Org, idp: IdpSettings): Promise<void> {
  const context = await browser.newContext({ baseURL: baseUrl });
  const page = await context.newPage();
  const member = new MemberLoginPage(page);
  await member.goto(org.developerId);
  await member.continueWithSso();
  await new IdpLoginPage(page).signIn(idp.user, idp.issuer);
  await expect(page).toHaveURL(/\/member$/);
  expect(await member.identity()).toMatchObject({ Email: idp.user.email });
  await expect(page.getByText('Session expires')).toBeVisible();
  await context.close();
}

/** Opens the row's Revoke disclosure, confirms, and checks the row is gone. */
async function revokeRow(page: Page, email: string): Promise<void> {
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toHaveCount(1);
  await row.locator('summary').click();
  await expect(row.getByText(`Revoke the session of ${email}?`)).toBeVisible();
  await row.getByRole('button', { name: 'Revoke session' }).click();
  await expect(page.locator('main').getByRole('status')).toContainText('Session revoked');
  await expect(page.getByRole('row').filter({ hasText: email })).toHaveCount(0);
  await expect(page.getByText('No active sessions')).toBeVisible();
}

test.describe('SSO sessions page', () => {
  test('lists a member sign-in and revokes it', async ({ browser, adminPage, e2e, freshOrg, idp }) => {
    const client = await configure(e2e.grantexUrl, e2e.baseUrl, freshOrg, idp);
    await adminPage.goto('/settings/sso/sessions');
    await expect(adminPage.getByRole('heading', { level: 1 })).toHaveText('SSO sessions');
    await expect(adminPage.getByText('No active sessions')).toBeVisible();

    await memberSignsIn(browser, e2e.baseUrl, freshOrg, idp);
    await adminPage.reload();
    const row = adminPage.getByRole('row').filter({ hasText: idp.user.email });
    await expect(row).toContainText(idp.user.name);
    await expect(row).toContainText('Default connection');
    await expect(row.locator('time')).toHaveCount(2);
    await expectNoAxeViolations(adminPage, '/settings/sso/sessions');
    await screenshotFor(adminPage, 'sessions-desktop');

    await revokeRow(adminPage, idp.user.email);
    expect(await client.sso.sessions.list()).toEqual([]);
  });

  test('revokes without JavaScript', async ({ browser, adminPage, e2e, freshOrg, idp }) => {
    const client = await configure(e2e.grantexUrl, e2e.baseUrl, freshOrg, idp);
    await memberSignsIn(browser, e2e.baseUrl, freshOrg, idp);
    // The signed-in admin's cookies in a browser that runs no script.
    const context = await browser.newContext({
      baseURL: e2e.baseUrl,
      javaScriptEnabled: false,
      storageState: await adminPage.context().storageState(),
    });
    const page = await context.newPage();
    await page.goto('/settings/sso/sessions');
    await revokeRow(page, idp.user.email);
    expect(await client.sso.sessions.list()).toEqual([]);
    await context.close();
  });
});
