/**
 * The overview: a test sign-in shows in the sign-ins chart and its table (24 h and 7 d), a SAML connection whose
 * IdP certificate expires within 30 days is an alert and shows in the connection health; axe clean; the README
 * screenshot. The sign-in activity filters by connection name and reason, and a trace opens as a timeline of its
 * steps with the raw JSON one click away.
 */
import { expect, IdpLoginPage, test, type Org } from './fixtures';
import { expectNoAxeViolations } from './support/axe';
import { certificatePem } from './support/certificates';
import { withoutJavaScript } from './support/no-js';
import { screenshotFor } from './support/screenshots';

const DAY = 24 * 3600 * 1000;
const OIDC_NAME = 'Dev IdP (OIDC)';
const SAML_NAME = 'Expiring IdP (SAML)';

async function createConnection(grantexUrl: string, org: Org, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${grantexUrl}/v1/sso/connections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

test.describe('overview', () => {
  test('a test sign-in in the chart and table, an expiring certificate as an alert; activity by connection name', async ({
    adminPage: page,
    freshOrg,
    ssoSettings,
    idp,
    e2e,
    browser,
  }) => {
    test.setTimeout(120_000);
    await createConnection(e2e.grantexUrl, freshOrg, {
      protocol: 'oidc',
      name: OIDC_NAME,
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri: `${e2e.baseUrl}/sso/callback`,
    });
    await createConnection(e2e.grantexUrl, freshOrg, {
      protocol: 'saml',
      name: SAML_NAME,
      idpEntityId: 'https://expiring-idp.e2e.example/saml',
      idpSsoUrl: 'https://expiring-idp.e2e.example/saml/sso',
      idpCertificate: certificatePem(new Date(Date.now() - DAY), new Date(Date.now() + 10 * DAY + 3600_000)),
    });

    await ssoSettings.openConnection(OIDC_NAME);
    const tab = await ssoSettings.testSignIn();
    await new IdpLoginPage(tab).signIn(idp.user, idp.issuer);
    await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
    await tab.close();

    await test.step('the overview is first in the settings nav', async () => {
      const nav = page.getByRole('navigation', { name: 'Settings' }).getByRole('link');
      await expect(nav.first()).toHaveText('Overview');
      await nav.first().click();
      await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
    });

    const table = page.getByRole('table', { name: /^Sign-in attempts: All connections, last 24 hours/ });
    await test.step('the sign-in in the chart and its table', async () => {
      // The event buffer writes within a fraction of a second.
      await expect(async () => {
        await page.goto('/settings/sso/overview');
        await expect(table.getByRole('row')).toHaveCount(2);
      }).toPass({ timeout: 10_000 });
      const row = table.getByRole('row').nth(1);
      await expect(row.getByRole('cell').nth(0)).toHaveText('1');
      await expect(row.getByRole('cell').nth(1)).toHaveText('0');
      const chart = page.getByRole('img', { name: /Sign-ins: All connections, last 24 hours/ });
      await expect(chart).toBeVisible();
      await expect(chart).toHaveAttribute('data-attempts', '1');
      await expect(page.getByText('1 succeeded, 0 failed.')).toBeVisible();
    });

    await test.step('the expiring certificate is an alert, and health shows it', async () => {
      const alert = page.getByRole('list', { name: 'Alerts' }).getByRole('listitem');
      await expect(alert).toHaveCount(1);
      await expect(alert).toContainText(`${SAML_NAME}: the identity provider’s certificate expires in 11 days`);
      await expect(alert).toHaveAttribute('data-alert-kind', 'certificate_expiring');
      const health = page.getByRole('table', { name: /Health of each connection/ });
      await expect(health.getByRole('row').filter({ hasText: OIDC_NAME })).toContainText('0 % (0 of 1)');
      await expect(health.getByRole('row').filter({ hasText: SAML_NAME })).toContainText('expiring soon');
      await expect(health.getByRole('row').filter({ hasText: SAML_NAME })).toContainText('No attempts');
    });

    await expectNoAxeViolations(page, '/settings/sso/overview');
    await screenshotFor(page, 'overview-desktop', page.getByRole('heading', { level: 1, name: 'Overview' }));

    await test.step('the period switch and the connection choice are plain links and a GET form', async () => {
      await page.getByRole('navigation', { name: 'Period' }).getByRole('link', { name: 'Last 7 days' }).click();
      await expect(page).toHaveURL(/[?&]period=7d/);
      const week = page.getByRole('table', { name: /^Sign-in attempts: All connections, last 7 days/ });
      await expect(week.getByRole('row').nth(1).getByRole('cell').nth(0)).toHaveText('1');
      await page.getByRole('combobox', { name: 'Connection', exact: true }).selectOption({ label: SAML_NAME });
      await page.getByRole('button', { name: 'Show' }).click();
      await expect(page).toHaveURL(/[?&]connection=/);
      await expect(page.getByText('No sign-in attempts in this period.')).toBeVisible();
    });

    await test.step('without JavaScript: the period switch and the connection choice still work', async () => {
      await withoutJavaScript(browser, e2e.baseUrl, page, async (noJs) => {
        await noJs.goto('/settings/sso/overview');
        await noJs.getByRole('navigation', { name: 'Period' }).getByRole('link', { name: 'Last 30 days' }).click();
        await expect(noJs).toHaveURL(/[?&]period=30d/);
        const month = noJs.getByRole('table', { name: /^Sign-in attempts: All connections, last 30 days/ });
        await expect(month.getByRole('row').nth(1).getByRole('cell').nth(0)).toHaveText('1');
        await noJs.getByRole('combobox', { name: 'Connection', exact: true }).selectOption({ label: OIDC_NAME });
        await noJs.getByRole('button', { name: 'Show' }).click();
        await expect(noJs).toHaveURL(/[?&]period=30d&connection=/);
        await expect(noJs.getByRole('table', { name: `Sign-in attempts: ${OIDC_NAME}, last 30 days` })).toBeVisible();
      });
    });

    await test.step('the activity filters by connection name and reason; a trace is a timeline', async () => {
      await page.goto('/settings/sso/activity');
      const attempts = page.getByRole('list', { name: 'Sign-in attempts' }).getByRole('listitem');
      await expect(attempts).toHaveCount(1);
      await page.getByRole('combobox', { name: 'Connection', exact: true }).selectOption({ label: SAML_NAME });
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect(page).toHaveURL(/[?&]connectionId=/);
      await expect(page.getByText('No sign-in attempts match these filters.')).toBeVisible();

      await page.getByRole('combobox', { name: 'Connection', exact: true }).selectOption({ label: OIDC_NAME });
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect(attempts).toHaveCount(1);
      await expect(attempts).toContainText(`via ${OIDC_NAME}`);

      await page.getByRole('combobox', { name: 'Reason', exact: true }).selectOption('idp_error');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect(page).toHaveURL(/[?&]reason=idp_error/);
      await expect(page.getByText('No sign-in attempts match these filters.')).toBeVisible();

      await page.getByRole('combobox', { name: 'Reason', exact: true }).selectOption('');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await attempts.first().locator('summary').first().click();
      const steps = attempts.first().getByRole('list', { name: 'Steps of this sign-in' }).getByRole('listitem');
      await expect(steps).toHaveCount(4);
      await expect(steps.nth(1)).toContainText('Token request');
      await expect(steps.nth(1)).toContainText(/\d+(\.\d)? ms → \d+(\.\d)? ms/);
      const raw = attempts.first().locator('pre');
      await expect(raw).toBeHidden();
      await attempts.first().getByText('Raw trace (JSON)').click();
      await expect(raw).toBeVisible();
      await expect(raw).toContainText('"steps"');
      await expectNoAxeViolations(page, '/settings/sso/activity (a trace timeline open)');
    });
  });
});
