/**
 * A revoked SSO session ends the member's console session within the re-check interval
 * (MEMBER_SESSION_RECHECK_SECONDS, default 30 s; playwright.config.ts runs the stack with a shorter one, and this
 * spec reads the same variable): a member signs in, their page keeps showing them across a re-check while the
 * session is active, the admin revokes the session on /settings/sso/sessions, and the member's next /member view
 * after the interval has them signed out, with the way to sign in again.
 */
import { GrantexClient } from '@/lib/grantex';
import { test, expect, IdpLoginPage, MemberLoginPage } from './fixtures';

const RECHECK_SECONDS = Number(process.env.MEMBER_SESSION_RECHECK_SECONDS ?? '30');

test('revoking a member session signs the member out of /member within the re-check interval', async ({
  browser,
  adminPage,
  e2e,
  freshOrg,
  idp,
}) => {
  test.setTimeout(60_000 + 3 * RECHECK_SECONDS * 1000);
  const client = new GrantexClient({ baseUrl: e2e.grantexUrl, apiKey: freshOrg.apiKey });
  await client.sso.createConfig({
    issuerUrl: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    redirectUri: `${e2e.baseUrl}/sso/callback`,
  });

  const context = await browser.newContext({ baseURL: e2e.baseUrl });
  const page = await context.newPage();
  const checks: string[] = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === '/member/check') checks.push(req.url());
  });
  try {
    await test.step('the member signs in', async () => {
      const member = new MemberLoginPage(page);
      await member.goto(freshOrg.developerId);
      await member.continueWithSso();
      await new IdpLoginPage(page).signIn(idp.user, idp.issuer);
      await expect(page).toHaveURL(/\/member$/);
      expect(await member.identity()).toMatchObject({ Email: idp.user.email });
      // The sign-in itself counts as a check: no re-check on the first views.
      await page.reload();
      await expect(page.getByRole('heading', { name: 'You are signed in' })).toBeVisible();
      expect(checks).toEqual([]);
    });

    await test.step('after the interval, an active session is re-checked and the member stays signed in', async () => {
      await page.waitForTimeout(RECHECK_SECONDS * 1000 + 500);
      await page.goto('/member');
      await expect(page).toHaveURL(/\/member$/);
      await expect(page.getByRole('heading', { name: 'You are signed in' })).toBeVisible();
      expect(checks).toHaveLength(1);
      // Re-checked just now: the next view makes no call.
      await page.reload();
      await expect(page.getByRole('heading', { name: 'You are signed in' })).toBeVisible();
      expect(checks).toHaveLength(1);
    });

    let revokedAt = 0;
    await test.step('the admin revokes the session on the sessions page', async () => {
      await adminPage.goto('/settings/sso/sessions');
      const row = adminPage.getByRole('row').filter({ hasText: idp.user.email });
      await expect(row).toHaveCount(1);
      await row.locator('summary').click();
      await row.getByRole('button', { name: 'Revoke session' }).click();
      await expect(adminPage.locator('main').getByRole('status')).toContainText('Session revoked');
      revokedAt = Date.now();
      expect(await client.sso.sessions.list()).toEqual([]);
    });

    await test.step("within the interval, the member's /member page sends them to sign in again", async () => {
      // Views until the member is signed out; the deadline is the interval since the last check, plus slack.
      await expect(async () => {
        await page.goto('/member');
        await expect(page.getByRole('heading', { name: 'You are not signed in' })).toBeVisible({ timeout: 1_000 });
      }).toPass({ timeout: RECHECK_SECONDS * 1000 + 5_000, intervals: [1_000] });
      expect(Date.now() - revokedAt).toBeLessThanOrEqual(RECHECK_SECONDS * 1000 + 5_000);
      await expect(page.getByText('Your session has ended or you have not signed in yet.')).toBeVisible();
      await expect(page.getByRole('link', { name: 'Sign in with SSO' })).toHaveAttribute('href', '/login');
      // The member session is gone for good: the cookie was cleared, not just hidden.
      expect((await context.cookies()).filter((c) => c.name === 'gx_member')).toEqual([]);
      await page.goto('/member');
      await expect(page.getByRole('heading', { name: 'You are not signed in' })).toBeVisible();
    });
  } finally {
    await context.close();
  }
});
