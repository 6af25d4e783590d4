/**
 * Member sign-in by work email: an org with two connections (the stack's dev IdP and a second dev IdP started here
 * with its own client), two domains verified through the console against the run's loopback DNS server, members of
 * each domain typing their email on /login and landing on their own IdP; the chooser on `/login?org=`; an unknown
 * domain's generic message, with the typed address kept.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from '@playwright/test';
import { startDevIdp, type DevIdp } from '../lib/dev-idp';
import { test, expect, IdpLoginPage, MemberLoginPage, SsoSettingsPage, type Org } from './fixtures';
import { publishTxt } from './support/dns';
import { expectNoAxeViolations } from './support/axe';
import { screenshotFor } from './support/screenshots';

test.skip(Boolean(process.env.E2E_BASE_URL), 'needs the local stack and its loopback DNS server');

let secondIdp: DevIdp;

test.beforeAll(async ({ e2e }) => {
  secondIdp = await startDevIdp({
    port: 0,
    host: '127.0.0.1',
    clientId: 'second-connection',
    clientSecret: `second-${randomBytes(12).toString('base64url')}`,
    redirectUris: [`${e2e.baseUrl}/sso/callback`],
  });
});
test.afterAll(async () => {
  await secondIdp?.close();
});

const runId = randomBytes(4).toString('hex');

async function createConnection(grantexUrl: string, org: Org, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await fetch(`${grantexUrl}/v1/sso/connections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: 'oidc', ...body }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string };
}

/** Opens a connection's page from the list (its domains section is there). */
async function openConnection(page: Page, connectionName: string): Promise<void> {
  await new SsoSettingsPage(page).openConnection(connectionName);
}

/** Adds and verifies a domain in the domains section of the connection's page, publishing the shown record. */
async function verifyThroughConsole(page: Page, connectionName: string, domain: string): Promise<void> {
  await openConnection(page, connectionName);
  const section = page.getByRole('region', { name: `Email domains of ${connectionName}` });
  await section.getByLabel('Email domain').fill(domain);
  await section.getByRole('button', { name: 'Add domain' }).click();
  await expect(section.getByRole('status')).toContainText(`${domain} added`);
  const item = section.getByRole('listitem').filter({ hasText: domain });
  await expect(item.getByText('Not verified')).toBeVisible();
  const [name, value] = await item.locator('code').allInnerTexts();
  expect(name).toBe(`_grantex-sso.${domain}`);
  expect(value).toMatch(/^grantex-sso-verification=/);
  publishTxt(name ?? '', value ?? '');
  await item.getByRole('button', { name: `Verify ${domain}` }).click();
  await expect(item.getByRole('status')).toContainText(`${domain} is verified`);
  await expect(item.getByText('Verified', { exact: true })).toBeVisible();
}

async function freshMemberPage(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  return context.newPage();
}

test.describe('member sign-in by work email', () => {
  test('two connections, two verified domains: each member lands on their own IdP; chooser; unknown domain', async ({
    browser,
    adminPage,
    e2e,
    freshOrg,
    idp,
  }) => {
    // Two console verifications, three member sign-ins through two IdPs, a removal: more than one default budget.
    test.setTimeout(180_000);
    const stackName = 'Dev IdP (production)';
    const secondName = 'Second IdP (acquired company)';
    const stackDomain = `alpha-${runId}.e2e.example`;
    const secondDomain = `beta-${runId}.e2e.example`;

    await test.step('the org has two connections (the first is its default)', async () => {
      const redirectUri = `${e2e.baseUrl}/sso/callback`;
      await createConnection(e2e.grantexUrl, freshOrg, {
        name: stackName,
        issuerUrl: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        redirectUri,
      });
      await createConnection(e2e.grantexUrl, freshOrg, {
        name: secondName,
        issuerUrl: secondIdp.issuer,
        clientId: secondIdp.client.clientId,
        clientSecret: secondIdp.client.clientSecret,
        redirectUri,
      });
    });

    await test.step('the admin adds and verifies one domain per connection in the console', async () => {
      await verifyThroughConsole(adminPage, stackName, stackDomain);
      await verifyThroughConsole(adminPage, secondName, secondDomain);
      const section = adminPage.getByRole('region', { name: `Email domains of ${secondName}` });
      await expectNoAxeViolations(adminPage, '/settings/sso/[connectionId] (a verified domain)');
      await screenshotFor(adminPage, 'connection-domains-desktop', section);
    });

    const cases = [
      { email: `alice@${stackDomain}`, issuer: idp.issuer, user: idp.user },
      {
        email: `bob@${secondDomain.toUpperCase()}`,
        issuer: secondIdp.issuer,
        user: { username: 'bob', password: 'bob-password' },
      },
    ];
    await test.step('the email form and its unknown-domain answer pass axe', async () => {
      const page = await freshMemberPage(browser, e2e.baseUrl);
      await page.goto('/login');
      await expectNoAxeViolations(page, '/login (work email)');
      await screenshotFor(page, 'email-sign-in-narrow');
      await page.context().close();
    });

    for (const c of cases) {
      await test.step(`${c.email} types the email on /login and lands on their own IdP`, async () => {
        const page = await freshMemberPage(browser, e2e.baseUrl);
        const member = new MemberLoginPage(page);
        await page.goto('/login');
        await page.getByLabel('Work email').fill(c.email);
        await member.continueButton().click();
        await new IdpLoginPage(page).signIn(c.user, c.issuer);
        await expect(page).toHaveURL(/\/member$/);
        expect(await member.identity()).toMatchObject({ 'Developer ID': freshOrg.developerId });
        await page.context().close();
      });
    }

    await test.step('/login?org= with two connections shows a chooser; each choice starts that connection', async () => {
      const page = await freshMemberPage(browser, e2e.baseUrl);
      await page.goto(`/login?org=${freshOrg.developerId}`);
      await expect(page.getByRole('heading', { name: 'Choose how to sign in' })).toBeVisible();
      // The chooser names whose login it is.
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Sign in to ${freshOrg.name} with SSO`);
      await expect(page.getByRole('button', { name: stackName })).toBeVisible();
      await expectNoAxeViolations(page, '/login?org= (chooser)');
      await screenshotFor(page, 'chooser-narrow');
      await page.getByRole('button', { name: secondName }).click();
      await new IdpLoginPage(page).expectVisible(secondIdp.issuer);
      await page.context().close();
    });

    await test.step('the admin removes a domain: its members no longer sign in by email', async () => {
      await openConnection(adminPage, secondName);
      const section = adminPage.getByRole('region', { name: `Email domains of ${secondName}` });
      await section.getByRole('button', { name: `Remove ${secondDomain}` }).click();
      await expect(section.getByRole('status')).toContainText(`${secondDomain} removed`);
      await expect(section.getByRole('listitem').filter({ hasText: secondDomain })).toHaveCount(0);
      const page = await freshMemberPage(browser, e2e.baseUrl);
      await page.goto('/login');
      await page.getByLabel('Work email').fill(`bob@${secondDomain}`);
      await new MemberLoginPage(page).continueButton().click();
      await expect(page).toHaveURL(/\/login\?error=email_unknown$/);
      await page.context().close();
    });

    await test.step('an unknown domain gets the generic message and keeps the typed address', async () => {
      const page = await freshMemberPage(browser, e2e.baseUrl);
      await page.goto('/login');
      const typed = `carol@unknown-${runId}.e2e.example`;
      await page.getByLabel('Work email').fill(typed);
      await new MemberLoginPage(page).continueButton().click();
      await expect(page).toHaveURL(/\/login\?error=email_unknown$/);
      await expect(page.getByText('Sign-in by email is not set up for this email address’s domain')).toBeVisible();
      await expect(page.getByLabel('Work email')).toHaveValue(typed);
      await expectNoAxeViolations(page, '/login (unknown domain)');
      await page.context().close();
    });
  });
});
