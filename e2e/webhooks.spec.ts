/**
 * Webhooks end to end: the admin adds an endpoint on the Webhooks page (the signing secret shown once), a member
 * signs in through SSO, the real loopback receiver gets a signed `sso.login` delivery (verified with the Standard
 * Webhooks reference package and Grantex's scheme), the endpoint's delivery log shows it, and Redeliver sends the
 * same event again with the same `webhook-id`.
 */
import { expectNoAxeViolations } from './support/axe';
import { screenshotFor } from './support/screenshots';
import { expect, IdpLoginPage, MemberLoginPage, test } from './fixtures';
import { GrantexClient } from '@/lib/grantex';
import { startReceiver, verifyAll, type Receiver } from '@/tests/support/webhook-receiver';

let rx: Receiver;
test.beforeAll(async () => {
  rx = await startReceiver();
});
test.afterAll(async () => {
  await rx?.close();
});

test('an admin adds an endpoint, a sign-in is delivered and shown in the delivery log, redeliver sends it again', async ({
  browser,
  adminPage,
  freshOrg,
  idp,
  e2e,
}) => {
  test.setTimeout(120_000);
  const admin = new GrantexClient({ baseUrl: e2e.grantexUrl, apiKey: freshOrg.apiKey });
  await admin.sso.createConfig({
    issuerUrl: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    redirectUri: `${e2e.baseUrl}/sso/callback`,
  });

  let secret = '';
  await test.step('the admin adds an endpoint for sign-ins and sees its secret once', async () => {
    await adminPage.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Webhooks' }).click();
    await expect(adminPage.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    await adminPage.getByLabel('Endpoint URL').fill(rx.url);
    await adminPage.getByLabel('All events').uncheck();
    await adminPage.getByLabel('sso.login', { exact: true }).check();
    await adminPage.getByRole('button', { name: 'Add endpoint' }).click();
    const created = adminPage.locator('#created-webhook-secret');
    await expect(created).toBeVisible();
    secret = (await created.innerText()).trim();
    expect(secret).toMatch(/^whsec_/);
    await expect(adminPage.getByRole('listitem', { name: rx.url })).toBeVisible();
    await expectNoAxeViolations(adminPage);
    await adminPage.reload();
    await expect(adminPage.getByText(secret)).toHaveCount(0);
  });

  await test.step('a member signs in; the receiver gets one signed sso.login event', async () => {
    const context = await browser.newContext({ baseURL: e2e.baseUrl });
    try {
      const page = await context.newPage();
      const member = new MemberLoginPage(page);
      await member.goto(freshOrg.developerId);
      await member.continueWithSso();
      await new IdpLoginPage(page).signIn(idp.user, idp.issuer);
      await expect(page).toHaveURL(/\/member/);
    } finally {
      await context.close();
    }
    await expect.poll(() => rx.received.length, { timeout: 20_000 }).toBe(1);
    const [delivery] = rx.received;
    expect(JSON.parse(delivery!.body)).toMatchObject({ type: 'sso.login', developerId: freshOrg.developerId });
    expect(verifyAll(secret, delivery!)).toEqual({
      standardPackage: true,
      standardSpec: true,
      grantex: true,
      grantexLegacy: true,
    });
  });

  await test.step('the delivery log shows it; Redeliver sends the same event again', async () => {
    await adminPage.getByRole('link', { name: `Delivery log of ${rx.url}` }).click();
    const log = adminPage.getByRole('table', { name: `Deliveries to ${rx.url}` });
    await expect(log.getByText('sso.login', { exact: true })).toBeVisible();
    await expect(log.getByText('succeeded', { exact: true })).toBeVisible();
    await expect(log.getByRole('cell', { name: /^200/ })).toBeVisible();
    await expectNoAxeViolations(adminPage);
    await log.getByRole('button', { name: /^Redeliver/ }).click();
    await expect(adminPage.getByRole('status').filter({ hasText: 'sent again' })).toBeVisible();
    await expect.poll(() => rx.received.length, { timeout: 20_000 }).toBe(2);
    expect(rx.received[1]!.headers['webhook-id']).toBe(rx.received[0]!.headers['webhook-id']);
    expect(verifyAll(secret, rx.received[1]!).standardPackage).toBe(true);
    await screenshotFor(adminPage, 'webhooks-desktop', adminPage.getByRole('heading', { level: 1 }));
  });
});
