/**
 * The SSO form's validation rules (zod + the URL rules) are fetched on first use, not with the
 * page (first-load JS budget). These pin down the two edges: a submission that beats the rules is
 * still checked in the browser (no POST), and if the rules cannot be fetched the server decides.
 */
import type { Page, Request } from '@playwright/test';
import { test, expect } from './fixtures';
import { createConnection } from './support/grantex-api';

/** Holds (or fails) every script the page requests from now on; `requested()` counts them. */
async function interceptLaterScripts(
  page: Page,
  mode: 'delay' | 'fail',
): Promise<{ release: () => void; requested: () => number }> {
  let release: () => void = () => undefined;
  let requested = 0;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/_next\/static\/chunks\/.*\.js$/, async (route) => {
    requested += 1;
    if (mode === 'fail') return route.abort('failed');
    await released;
    await route.continue();
  });
  return { release, requested: () => requested };
}

function countPosts(page: Page): () => number {
  let posts = 0;
  page.on('request', (req: Request) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname.startsWith('/settings/sso')) posts += 1;
  });
  return () => posts;
}

test.describe('SSO form rules loaded on demand', () => {
  test('a submission made before the rules arrive is checked in the browser first', async ({
    adminPage: page,
    ssoSettings,
  }) => {
    await ssoSettings.goto();
    const posts = countPosts(page);
    const scripts = await interceptLaterScripts(page, 'delay');
    await ssoSettings.issuerUrl().fill('not a url');
    await ssoSettings.issuerUrl().press('Enter');
    // The rules were not part of the page: focusing the field asked for them.
    expect(scripts.requested()).toBeGreaterThan(0);
    scripts.release();
    await expect(ssoSettings.formError()).toContainText('Some fields need your attention.');
    expect(await ssoSettings.fieldError('Issuer URL')).toMatch(/^Issuer URL must be an absolute URL/);
    await expect(ssoSettings.issuerUrl()).toBeFocused();
    expect(posts()).toBe(0);
  });

  test('when the rules cannot be fetched, the server validates the submission', async ({
    adminPage: page,
    ssoSettings,
    idp,
    e2e,
    freshOrg,
  }) => {
    // A saved connection, so the save stays on its page (a create would navigate, which needs the scripts held here).
    await createConnection(e2e.grantexUrl, freshOrg.apiKey, {
      name: 'Main IdP',
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri: `${e2e.baseUrl}/sso/callback`,
    });
    await ssoSettings.goto();
    const posts = countPosts(page);
    const scripts = await interceptLaterScripts(page, 'fail');
    await ssoSettings.fill({ issuerUrl: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    await ssoSettings.submit();
    await expect(ssoSettings.status()).toHaveText(/Connection saved/);
    expect(scripts.requested()).toBeGreaterThan(0);
    expect(posts()).toBe(1);
  });
});
