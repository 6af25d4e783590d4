/**
 * /settings/sso/sessions: a member signs in through the dev IdP (their page shows the session's expiry), the
 * admin sees the session in the table and revokes it (confirmation, then the row is gone).
 */
import { GrantexClient } from '@/lib/grantex';
import { test, expect, IdpLoginPage, MemberLoginPage } from './fixtures';

test.describe('SSO sessions page', () => {
  test('lists a member sign-in and revokes it', async ({ browser, adminPage, e2e, freshOrg, idp }) => {
    const client = new GrantexClient({ baseUrl: e2e.grantexUrl, apiKey: freshOrg.apiKey });
    await client.createConfig({
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri: `${e2e.baseUrl}/sso/callback`,
    });

    await adminPage.goto('/settings/sso/sessions');
    await expect(adminPage.getByRole('heading', { level: 1 })).toHaveText('SSO sessions');
    await expect(adminPage.getByText('No active sessions')).toBeVisible();

    // The member signs in in their own browser context.
    const memberContext = await browser.newContext({ baseURL: e2e.baseUrl });
    const memberPage = await memberContext.newPage();
    const member = new MemberLoginPage(memberPage);
    await member.goto(freshOrg.developerId);
    await member.continueWithSso();
    await new IdpLoginPage(memberPage).signIn(idp.user, idp.issuer);
    await expect(memberPage).toHaveURL(/\/member$/);
    expect(await member.identity()).toMatchObject({ Email: idp.user.email });
    await expect(memberPage.getByText('Session expires')).toBeVisible();
    await memberContext.close();

    await adminPage.reload();
    const row = adminPage.getByRole('row').filter({ hasText: idp.user.email });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(idp.user.name);
    await expect(row).toContainText('Default connection');
    await expect(row.locator('time')).toHaveCount(2);

    await row.locator('summary').click();
    await expect(row.getByText(`Revoke the session of ${idp.user.email}?`)).toBeVisible();
    await row.getByRole('button', { name: 'Revoke session' }).click();
    await expect(adminPage.locator('main').getByRole('status')).toContainText('Session revoked');
    await expect(adminPage.getByRole('row').filter({ hasText: idp.user.email })).toHaveCount(0);
    await expect(adminPage.getByText('No active sessions')).toBeVisible();
    expect(await client.listSessions()).toEqual([]);
  });
});
