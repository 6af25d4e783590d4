/**
 * Console sign-in through SSO with roles, SSO enforcement and break-glass, end to end: an org's connection to the
 * dev IdP with a verified domain and console roles (alice's group `sso-owners` → owner, bob's `sso-viewers` →
 * viewer); alice signs in with her work email as the owner; bob, a viewer, cannot change anything and each refused
 * action says why; alice requires SSO, and the API-key sign-in is refused with the reason; a break-glass credential
 * still gets in, the audit trail and a banner show it; enforcement goes off again and the API key signs in.
 * Every response is recorded: no console session token ever reaches a browser, and the break-glass credential
 * only in the one answer that shows it.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from '@playwright/test';
import { test, expect, IdpLoginPage, SigninPage, SsoSettingsPage, type Org } from './fixtures';
import { expectNoAxeViolations } from './support/axe';
import { publishTxt } from './support/dns';
import { screenshotFor } from './support/screenshots';
import { BREAK_GLASS_IN_TEXT, CONSOLE_TOKEN_IN_TEXT, NetworkRecorder } from './support/network-recorder';

test.skip(Boolean(process.env.E2E_BASE_URL), 'needs the local stack, its dev IdP users and its loopback DNS server');

const runId = randomBytes(4).toString('hex');
const CONNECTION = 'Dev IdP (console sign-in)';
const BOB = { username: 'bob', password: 'bob-password' };

async function createConnection(grantexUrl: string, org: Org, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${grantexUrl}/v1/sso/connections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: 'oidc', ...body }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function verifyDomain(page: Page, domain: string): Promise<void> {
  await new SsoSettingsPage(page).openConnection(CONNECTION);
  const section = page.getByRole('region', { name: `Email domains of ${CONNECTION}` });
  await section.getByLabel('Email domain').fill(domain);
  await section.getByRole('button', { name: 'Add domain' }).click();
  await expect(section.getByRole('status')).toContainText(`${domain} added`);
  const item = section.getByRole('listitem').filter({ hasText: domain });
  await expect(item.getByText('Not verified')).toBeVisible();
  const [name, value] = await item.locator('code').allInnerTexts();
  publishTxt(name ?? '', value ?? '');
  await item.getByRole('button', { name: `Verify ${domain}` }).click();
  await expect(item.getByText('Verified', { exact: true })).toBeVisible();
}

async function newPage(browser: Browser, baseURL: string, recorder: NetworkRecorder): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  recorder.attach(context);
  return context.newPage();
}

/** /signin → "Sign in with SSO" by work email → the dev IdP; returns once back at the console. */
async function ssoSignIn(page: Page, email: string, user: { username: string; password: string }, issuer: string) {
  await page.goto('/signin');
  await page.getByLabel('Work email').fill(email);
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  await new IdpLoginPage(page).signIn(user, issuer);
}

/** Submits a form the page shows disabled (as a crafted request would) and returns the refusal it answers. */
async function forceSubmit(page: Page, region: string, button: string): Promise<void> {
  const section = page.getByRole('region', { name: region });
  await section
    .locator('fieldset[disabled]')
    .first()
    .evaluate((el) => el.removeAttribute('disabled'));
  await section.getByRole('button', { name: button }).click();
}

test('console SSO with roles, enforcement and break-glass', async ({ browser, adminPage, e2e, freshOrg, idp }) => {
  test.setTimeout(240_000);
  const recorder = new NetworkRecorder().attach(adminPage.context());
  const domain = `console-${runId}.e2e.example`;

  await test.step('the API-key owner connects the dev IdP, verifies a domain and maps groups to console roles', async () => {
    await createConnection(e2e.grantexUrl, freshOrg, {
      name: CONNECTION,
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri: `${e2e.baseUrl}/sso/callback`,
      // The dev IdP's `groups` claim: alice is in sso-owners, bob in sso-viewers.
      groupAttribute: 'groups',
    });
    await verifyDomain(adminPage, domain);
    const roles = adminPage.getByRole('region', { name: 'Console roles' });
    await roles.getByLabel('IdP group, row 1').fill('sso-owners');
    await roles.getByLabel('Console role, row 1').selectOption('owner');
    await roles.getByLabel('IdP group, row 2').fill('sso-viewers');
    await roles.getByLabel('Console role, row 2').selectOption('viewer');
    await roles.getByRole('button', { name: 'Save console roles' }).click();
    await expect(roles.getByRole('status')).toContainText('Console roles saved');
    await expectNoAxeViolations(adminPage, '/settings/sso/[connectionId] (console roles)');
  });

  const alice = await newPage(browser, e2e.baseUrl, recorder);
  await test.step('alice signs in with her work email and is the owner', async () => {
    await alice.goto('/signin');
    await expectNoAxeViolations(alice, '/signin (SSO and API key)');
    await ssoSignIn(alice, `alice@${domain}`, idp.user, idp.issuer);
    await expect(alice).toHaveURL(/\/settings\/sso$/);
    await expect(alice.locator('[data-console-role="owner"]')).toBeVisible();
  });

  const bob = await newPage(browser, e2e.baseUrl, recorder);
  await test.step('bob, a viewer, sees but cannot change anything; each refused action says why', async () => {
    await ssoSignIn(bob, `bob@${domain}`, BOB, idp.issuer);
    await expect(bob.locator('[data-console-role="viewer"]')).toBeVisible();

    await bob.goto('/settings/sso/security');
    await expect(bob.getByRole('button', { name: 'Require SSO' })).toBeDisabled();
    await expect(bob.getByText('Only an owner can do this.').first()).toBeVisible();
    await expectNoAxeViolations(bob, '/settings/sso/security (viewer)');

    await new SsoSettingsPage(bob).openConnection(CONNECTION);
    await expect(bob.getByRole('button', { name: 'Save console roles' })).toBeDisabled();
    await expect(
      bob.getByRole('region', { name: 'Session settings' }).getByText('Needs the admin role or higher.'),
    ).toBeVisible();
    // The action refuses whatever the page showed: the same form, re-enabled and submitted.
    await forceSubmit(bob, 'Session settings', 'Save session settings');
    await expect(bob.getByRole('region', { name: 'Session settings' }).getByRole('alert')).toContainText(
      'This needs the admin role or higher; you are signed in as a viewer.',
    );
    await forceSubmit(bob, 'Console roles', 'Save console roles');
    await expect(bob.getByRole('region', { name: 'Console roles' }).getByRole('alert')).toContainText(
      'This needs the owner role; you are signed in as a viewer.',
    );
    // The test sign-in sent anyway: the tab it opens says why, as for any other failure to start.
    const testGate = bob.locator('fieldset[disabled]').filter({ has: bob.locator('form[action="/sso/start"]') });
    await testGate.evaluate((el) => el.removeAttribute('disabled'));
    const [testTab] = await Promise.all([
      bob.context().waitForEvent('page'),
      bob.locator('form[action="/sso/start"]').getByRole('button', { name: 'Test sign-in' }).click(),
    ]);
    await expect(testTab).toHaveURL(/\/sso\/test-result$/);
    await expect(
      testTab.getByText('This needs the admin role or higher; you are signed in as a viewer.'),
    ).toBeVisible();
    await testTab.close();

    await bob.goto('/settings/sso/webhooks');
    await expect(bob.getByText('Needs the admin role or higher.').first()).toBeVisible();
    // Nothing changed: the owner's mapping is still there.
    await new SsoSettingsPage(alice).openConnection(CONNECTION);
    await expect(alice.getByLabel('IdP group, row 1')).toHaveValue('sso-owners');
  });

  await test.step('alice requires SSO; the API-key sign-in is refused with the reason', async () => {
    await alice.goto('/settings/sso/security');
    await alice.getByRole('button', { name: 'Require SSO' }).click();
    await expect(alice.getByRole('status').filter({ hasText: 'SSO is now required' })).toBeVisible();
    await expectNoAxeViolations(alice, '/settings/sso/security (owner, enforced)');

    // The API-key session from before ends too.
    await adminPage.goto('/settings/sso');
    await expect(adminPage).toHaveURL(/\/signin/);

    const keyPage = await newPage(browser, e2e.baseUrl, recorder);
    const signin = new SigninPage(keyPage);
    await signin.goto();
    await signin.signInExpectingError(freshOrg.apiKey);
    await expect(signin.formError()).toContainText(
      'Your organization requires SSO sign-in. Use your work email, or a break-glass credential.',
    );
    await keyPage.context().close();
  });

  let credential = '';
  await test.step('alice creates a break-glass credential: shown once', async () => {
    const form = alice.getByRole('region', { name: 'Break-glass credentials' });
    await form.getByLabel('Name').fill('Office safe');
    await form.getByRole('button', { name: 'Create credential' }).click();
    credential = (await alice.locator('#created-break-glass').innerText()).trim();
    expect(credential).toMatch(/^gxbg_/);
    await recorder.settle();
    await alice.reload();
    await expect(alice.getByText('Office safe').first()).toBeVisible();
    expect(await alice.content()).not.toContain(credential);
    await screenshotFor(alice, 'security-desktop', alice.getByRole('heading', { level: 1 }));
  });

  const glass = await newPage(browser, e2e.baseUrl, recorder);
  await test.step('the break-glass credential gets in as the owner; a banner and the audit trail show it', async () => {
    await glass.goto('/signin/break-glass');
    await expectNoAxeViolations(glass, '/signin/break-glass');
    await glass.getByLabel('Break-glass credential').fill(`${credential}x`);
    await glass.getByRole('button', { name: 'Sign in with break-glass credential' }).click();
    await expect(glass.locator('main').getByRole('alert')).toContainText('not valid');
    await expect(glass.getByLabel('Break-glass credential')).toHaveValue('');
    await glass.getByLabel('Break-glass credential').fill(credential);
    await glass.getByRole('button', { name: 'Sign in with break-glass credential' }).click();
    await expect(glass).toHaveURL(/\/settings\/sso$/);
    await expect(glass.locator('[data-console-role="owner"]')).toBeVisible();
    const banner = glass.getByRole('note', { name: 'Break-glass sign-in' });
    await expect(banner).toContainText('A break-glass credential (“Office safe”) was used at');
    await alice.goto('/settings/sso/overview');
    await expect(alice.getByRole('note', { name: 'Break-glass sign-in' })).toBeVisible();

    await glass.goto('/settings/sso/audit');
    const changes = glass.getByRole('list', { name: 'Changes' });
    await expect(changes.getByRole('listitem').filter({ hasText: 'sso.break_glass_used' }).first()).toContainText(
      'break-glass: Office safe',
    );
    // Alice's enforcement change names her (her email at the IdP), not a key or a session id alone.
    await expect(changes.getByRole('listitem').filter({ hasText: 'sso.enforcement_changed' }).first()).toContainText(
      /by alice@/,
    );
    await expectNoAxeViolations(glass, '/settings/sso/audit (console sign-ins)');
  });

  await test.step('enforcement off again: the API key signs in', async () => {
    await glass.goto('/settings/sso/security');
    await glass.getByRole('button', { name: 'Stop requiring SSO' }).click();
    await expect(glass.getByRole('status').filter({ hasText: 'SSO is no longer required' })).toBeVisible();
    const keyPage = await newPage(browser, e2e.baseUrl, recorder);
    const signin = new SigninPage(keyPage);
    await signin.goto();
    await signin.signIn(freshOrg.apiKey);
    await keyPage.context().close();
  });

  await test.step('a person whose groups map to no console role is told so', async () => {
    await new SsoSettingsPage(glass).openConnection(CONNECTION);
    const roles = glass.getByRole('region', { name: 'Console roles' });
    await roles.getByLabel('Console role, row 2').selectOption('');
    await roles.getByRole('button', { name: 'Save console roles' }).click();
    await expect(roles.getByRole('status')).toContainText('Console roles saved');
    const carol = await newPage(browser, e2e.baseUrl, recorder);
    await ssoSignIn(carol, `bob@${domain}`, BOB, idp.issuer);
    await expect(carol).toHaveURL(/\/signin\/console-role-missing$/);
    await expect(carol.getByRole('heading', { level: 1 })).toHaveText('Your account has no console role');
    await expectNoAxeViolations(carol, '/signin/console-role-missing');
    await carol.context().close();
  });

  await test.step('bob lost his role with the mapping: his console session ended at his next request', async () => {
    await bob.goto('/settings/sso');
    await expect(bob).toHaveURL(/\/signin/);
  });

  await test.step('signing out ends the console session', async () => {
    await alice.goto('/settings/sso');
    await alice.getByRole('button', { name: 'Sign out' }).click();
    await expect(alice).toHaveURL(/\/signin\?signedOut=1$/);
    await alice.goto('/settings/sso');
    await expect(alice).toHaveURL(/\/signin/);
  });

  await test.step('no console session token reached a browser; the credential only in its one showing', async () => {
    for (const p of [alice, bob, glass]) await p.context().close();
    expect(await recorder.findPattern('console session token', CONSOLE_TOKEN_IN_TEXT)).toEqual([]);
    // Only the create action's answer (a POST to the security page) may carry it; no page, header or other answer.
    const showings = await recorder.findSecrets({ 'break-glass credential': credential });
    const anyCredential = await recorder.findPattern('break-glass credential', BREAK_GLASS_IN_TEXT);
    for (const finding of [...showings.findings, ...anyCredential]) {
      expect(finding).toMatch(/in the body of 200 POST http:\/\/[^/]+\/settings\/sso\/security$/);
    }
    expect(await recorder.findSecrets({ 'API key': freshOrg.apiKey })).toMatchObject({ findings: [] });
  });
});
