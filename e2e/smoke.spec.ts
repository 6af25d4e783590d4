import { expectNoAxeViolations } from './support/axe';
import { expect, test } from './fixtures';

test.describe('smoke', () => {
  test('the console shell loads', async ({ page }) => {
    const response = await page.goto('/');
    expect(response?.status(), 'status of / after redirects').toBeLessThan(400);
    await expect(page).toHaveTitle(/Grantex/);
    await expect(page.locator('body')).not.toBeEmpty();
    // The icon the page names is the static file in public/, served as SVG.
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toBe('/icon.svg');
    const served = await page.request.get(icon!);
    expect(served.status()).toBe(200);
    expect(served.headers()['content-type']).toContain('image/svg+xml');
  });

  test('the sign-in page has no accessibility violations', async ({ signinPage, page }) => {
    await signinPage.goto();
    await expect(signinPage.signInButton()).toBeVisible();
    await expectNoAxeViolations(page, '/signin');
  });
});
