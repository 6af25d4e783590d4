/**
 * The hosted member login (/login → /sso/start → IdP → /sso/callback → /member), including the
 * paths that must fail safely: IdP denial, replayed or foreign callbacks, no JavaScript.
 */
import type { Browser, Page } from '@playwright/test';
import { test, expect, IdpLoginPage, MemberLoginPage, type Org, type IdpSettings } from './fixtures';

async function configureSso(grantexUrl: string, org: Org, idp: IdpSettings, baseUrl: string): Promise<void> {
  const res = await fetch(`${grantexUrl}/v1/sso/config`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri: `${baseUrl}/sso/callback`,
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** Runs a member login in `page` and returns the callback URL the IdP sent the browser to. */
async function memberSignIn(page: Page, org: Org, idp: IdpSettings): Promise<string> {
  let callback = '';
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === '/sso/callback') callback = req.url();
  });
  const member = new MemberLoginPage(page);
  await member.goto(org.developerId);
  await expect(member.orgInput()).toHaveValue(org.developerId);
  await member.continueWithSso();
  await new IdpLoginPage(page).signIn(idp.user, idp.issuer);
  await expect(page).toHaveURL(/\/member$/);
  return callback;
}

async function contextPage(browser: Browser, baseURL: string, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ baseURL, javaScriptEnabled });
  return context.newPage();
}

test.describe('hosted member login', () => {
  test.beforeEach(async ({ e2e, freshOrg, idp }) => {
    await configureSso(e2e.grantexUrl, freshOrg, idp, e2e.baseUrl);
  });

  test('signs a member in and shows the identity; the address bar carries no code or state', async ({
    page,
    memberLogin,
    idpLogin,
    e2e,
    freshOrg,
    idp,
  }) => {
    await memberSignIn(page, freshOrg, idp);
    expect(page.url()).not.toMatch(/[?&](code|state)=/);
    expect(await memberLogin.identity()).toMatchObject({
      'Developer ID': freshOrg.developerId,
      Email: idp.user.email,
      Name: idp.user.name,
    });
    // A member session is not an admin session.
    await page.goto('/settings/sso');
    await expect(page).toHaveURL(/\/signin/);
    await page.goto('/member');
    await memberLogin.signOut();
    // The dev IdP publishes an end_session_endpoint: the session ended at Grantex, then the IdP asks and sends
    // the member to the console's signed-out page.
    await idpLogin.confirmLogout();
    await expect(page).toHaveURL(/\/member\/signed-out\?state=[\w-]+$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are signed out');
    const sessions = await fetch(`${e2e.grantexUrl}/v1/sso/sessions`, {
      headers: { authorization: `Bearer ${freshOrg.apiKey}` },
    });
    expect(((await sessions.json()) as { sessions: unknown[] }).sessions).toEqual([]);
    // The login page's own confirmation (a sign-out without an IdP logout lands there).
    await page.goto(`/login?org=${freshOrg.developerId}&signedOut=1`);
    await expect(memberLogin.status()).toContainText('You have signed out.');
    // The page names whose login it is (the organization's name from Grantex).
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Sign in to ${freshOrg.name} with SSO`);
    // The confirmation is a fixed text; nothing from the address bar is shown.
    await page.goto(`/login?org=${freshOrg.developerId}&signedOut=%3Cb%3Ehi%3C%2Fb%3E`);
    await expect(memberLogin.status()).toHaveCount(0);
    await page.goto('/member');
    await expect(page.getByText('You are not signed in')).toBeVisible();
  });

  test('works with JavaScript disabled', async ({ browser, e2e, freshOrg, idp }) => {
    const page = await contextPage(browser, e2e.baseUrl, false);
    await memberSignIn(page, freshOrg, idp);
    expect(await new MemberLoginPage(page).identity()).toMatchObject({ Email: idp.user.email });
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await new IdpLoginPage(page).confirmLogout();
    await expect(page).toHaveURL(/\/member\/signed-out\?state=[\w-]+$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are signed out');
    await page.context().close();
  });

  test('an IdP denial shows a readable error and a way to start over, without calling Grantex', async ({
    page,
    memberLogin,
    freshOrg,
  }) => {
    await memberLogin.goto(freshOrg.developerId);
    await memberLogin.continueWithSso();
    await new IdpLoginPage(page).cancel();
    await expect(page).toHaveURL(/\/sso\/error\?code=idp_error/);
    await expect(memberLogin.alert()).toContainText('Your identity provider did not sign you in');
    await expect(memberLogin.alert()).toContainText('access_denied');
    await page.getByRole('link', { name: 'Start over' }).click();
    await expect(page).toHaveURL(new RegExp(`/login\\?org=${freshOrg.developerId}$`));
  });

  test('a hostile error_description is shown as inert text', async ({ page, memberLogin }) => {
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs += 1;
      void d.dismiss();
    });
    await page.goto(
      '/sso/callback?error=access_denied&error_description=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%E2%80%AE&state=x',
    );
    await expect(memberLogin.alert()).toContainText('<img src=x onerror=alert(1)>');
    expect(dialogs).toBe(0);
    expect(page.url()).not.toContain('onerror');
  });

  test('a replayed callback, or one delivered to another browser (login CSRF), is refused', async ({
    browser,
    page,
    e2e,
    freshOrg,
    idp,
  }) => {
    const callback = await memberSignIn(page, freshOrg, idp);
    expect(callback).toContain('state=');

    // Same browser, second time: the binding was consumed by the first use.
    await page.goto(callback);
    await expect(page).toHaveURL(/\/sso\/error\?code=not_bound/);
    await expect(page.locator('main').getByRole('alert')).toContainText('could not be verified');

    // Another browser never started this login: refused before Grantex is asked.
    const victim = await contextPage(browser, e2e.baseUrl);
    await victim.goto(callback);
    await expect(victim).toHaveURL(/\/sso\/error\?code=not_bound/);
    await victim.goto('/member');
    await expect(victim.getByText('You are not signed in')).toBeVisible();
    await victim.context().close();
  });

  test('a login POST from another site is refused', async ({ page, freshOrg }) => {
    const res = await page.request.post('/sso/start', {
      form: { org: freshOrg.developerId, mode: 'member' },
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(303);
    expect(res.headers().location).toContain('/sso/error?code=cross_site');
  });
});

test('the member login says when an organization has no SSO instead of offering a dead button', async ({
  memberLogin,
  freshOrg,
  page,
}) => {
  await memberLogin.goto(freshOrg.developerId);
  await expect(page.getByText('SSO is not configured for this organization')).toBeVisible();
  await expect(memberLogin.continueButton()).toHaveCount(0);
});
