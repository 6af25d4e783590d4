/**
 * Admin sign-in at /signin: a good key, a refused key, the development demo organization, sign-out,
 * the open-redirect guard, and that the API key never comes back to the browser.
 *
 * Note: Next.js renders a route announcer with role="alert", so alerts are located by their text.
 */
import { NetworkRecorder } from './support/network-recorder';
import { expect, test } from './fixtures';

test.describe('admin sign-in', () => {
  test('a valid API key signs in; the key never reaches the browser', async ({
    context,
    page,
    freshOrg,
    signinPage,
  }) => {
    const recorder = new NetworkRecorder().attach(context);
    await signinPage.goto();
    await signinPage.signIn(freshOrg.apiKey);

    await expect(page).toHaveURL(/\/settings\/sso$/);
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

    const session = await page.request.get('/api/auth/session');
    const body = await session.text();
    expect(JSON.parse(body)).toMatchObject({ user: { developerId: freshOrg.developerId } });
    expect(body).not.toContain(freshOrg.apiKey);
    expect(await page.content()).not.toContain(freshOrg.apiKey);

    const cookies = await context.cookies();
    const sessionCookie = cookies.find((c) => c.name.endsWith('next-auth.session-token'));
    expect(sessionCookie, 'session cookie').toBeTruthy();
    expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    const { findings } = await recorder.findSecrets({ apiKey: freshOrg.apiKey });
    expect(findings, 'responses containing the API key').toEqual([]);
  });

  test('a wrong key is refused with a clear message and is not echoed', async ({ context, page, signinPage }) => {
    const recorder = new NetworkRecorder().attach(context);
    const wrongKey = `gx_test_${'W'.repeat(43)}`;
    await signinPage.goto();
    await signinPage.apiKey().fill(wrongKey);
    await signinPage.signInButton().click();

    const alert = page.getByRole('alert').filter({ hasText: 'Could not sign in' });
    await expect(alert).toContainText('did not accept this API key');
    await expect(page).toHaveURL(/\/signin/);
    await expect(signinPage.signInButton()).toBeEnabled();

    const { findings } = await recorder.findSecrets({ wrongKey });
    expect(findings, 'responses echoing the typed key').toEqual([]);
  });

  test('a malformed key gets its own message', async ({ page, signinPage }) => {
    await signinPage.goto();
    await signinPage.apiKey().fill('too short');
    await signinPage.signInButton().click();
    await expect(page.getByRole('alert').filter({ hasText: 'Could not sign in' })).toContainText(/too short|no spaces/);
  });

  test('a demo organization shows its key once, then Continue signs in', async ({ page, signinPage }) => {
    await signinPage.goto();
    const key = await signinPage.createDemoOrganization();
    await expect(page.getByText('It will not be shown again')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Copy', exact: true })).toBeVisible();

    await signinPage.continueButton().click();
    await expect(page).toHaveURL(/\/settings\/sso$/);
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

    const session = await (await page.request.get('/api/auth/session')).text();
    expect(session).not.toContain(key);
    expect(await page.content()).not.toContain(key);

    // Back on /signin the one-time key is gone (a signed-in admin is sent on to the settings).
    await page.goto('/signin');
    await expect(page).toHaveURL(/\/settings\/sso$/);
    expect(await page.content()).not.toContain(key);
  });

  test('sign out ends the session', async ({ adminPage: page }) => {
    await page.goto('/settings/sso');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/signin/);
    await expect(page.getByRole('status').filter({ hasText: 'You have signed out' })).toBeVisible();

    expect(await (await page.request.get('/api/auth/session')).json()).toEqual({});
    await page.goto('/settings/sso');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fsettings%2Fsso/);
  });

  test('callbackUrl is followed only within the console', async ({ page, freshOrg, signinPage }) => {
    await page.goto('/signin?callbackUrl=%2F%2Fevil.example%2Fsteal');
    await signinPage.signIn(freshOrg.apiKey);
    await expect(page).toHaveURL(/\/settings\/sso$/);
    expect(new URL(page.url()).host).not.toBe('evil.example');
  });

  test('callbackUrl with dot segments before // does not leave the console after sign-in', async ({
    page,
    freshOrg,
    signinPage,
  }) => {
    const requested: string[] = [];
    page.on('request', (req) => requested.push(new URL(req.url()).host));
    for (const target of ['/.//evil.example/steal', '/..//evil.example', '/%2e//evil.example']) {
      await page.context().clearCookies();
      await page.goto(`/signin?callbackUrl=${encodeURIComponent(target)}`);
      await signinPage.signIn(freshOrg.apiKey);
      await expect(page).toHaveURL(/\/settings\/sso$/);
      // Already signed in: the page itself redirects, by the same rule.
      await page.goto(`/signin?callbackUrl=${encodeURIComponent(target)}`);
      await expect(page).toHaveURL(/\/settings\/sso$/);
    }
    expect(requested).not.toContain('evil.example');
  });

  test('responses carry the security headers', async ({ page }) => {
    const response = await page.goto('/signin');
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  });
});
