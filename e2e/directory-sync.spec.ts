/**
 * Directory sync end to end: the customer's IT admin (through a setup link) creates a SCIM token on the Directory
 * sync page; a scripted client shaped like Microsoft Entra ID's provisioning service (its documented requests)
 * provisions the member and a group at the SCIM base URL the page shows; the member signs in through SSO; the
 * client deactivates them ("active": "False", as Entra sends it); their console session ends within the re-check
 * interval, their next sign-in is refused with a page that says why, the admin's sign-in activity shows the
 * reason, and the Directory sync page shows them deactivated.
 */
import type { Browser } from '@playwright/test';
import { GrantexClient } from '@/lib/grantex';
import { expectNoAxeViolations } from './support/axe';
import { screenshotFor } from './support/screenshots';
import { expect, IdpLoginPage, MemberLoginPage, test, type IdpSettings } from './fixtures';

const RECHECK_SECONDS = Number(process.env.MEMBER_SESSION_RECHECK_SECONDS ?? '30');
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** What Entra ID's provisioning service sends (application/scim+json, the token as Bearer). */
function entraClient(baseUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
}

async function memberSignsIn(browser: Browser, baseURL: string, org: string, idp: IdpSettings) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const member = new MemberLoginPage(page);
  await member.goto(org);
  await member.continueWithSso();
  await new IdpLoginPage(page).signIn(idp.user, idp.issuer);
  return { context, page, member };
}

test('a member deactivated by directory sync loses their session and cannot sign in again', async ({
  browser,
  adminPage,
  freshOrg,
  idp,
  e2e,
}) => {
  test.setTimeout(120_000 + 3 * RECHECK_SECONDS * 1000);
  const admin = new GrantexClient({ baseUrl: e2e.grantexUrl, apiKey: freshOrg.apiKey });
  await admin.sso.createConfig({
    issuerUrl: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    redirectUri: `${e2e.baseUrl}/sso/callback`,
  });
  const link = await admin.sso.setupLinks.create({ label: 'Directory sync' });

  let token = '';
  let scimBaseUrl = '';
  await test.step('the IT admin opens the setup link and creates a SCIM token on Directory sync', async () => {
    const itContext = await browser.newContext({ baseURL: e2e.baseUrl });
    const it = await itContext.newPage();
    try {
      await it.goto(`/setup/${encodeURIComponent(link.token)}`);
      await it.getByLabel('Your name').fill('Iris IT');
      await it.getByLabel('Your work email').fill('iris@customer.example');
      await it.getByRole('button', { name: 'Continue to SSO setup' }).click();
      await expect(it).toHaveURL(/\/settings\/sso$/);
      await it.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Directory sync' }).click();
      await expect(it.getByRole('heading', { name: 'Directory sync', level: 1 })).toBeVisible();
      scimBaseUrl = (await it.locator('#scim-base-url').innerText()).trim();
      expect(scimBaseUrl).toMatch(/\/scim\/v2$/);

      await it.getByLabel('Label').fill('Entra ID provisioning');
      await it.getByRole('button', { name: 'Create SCIM token' }).click();
      const created = it.locator('#created-scim-token');
      await expect(created).toBeVisible();
      token = (await created.innerText()).trim();
      expect(token).toMatch(/^gxscim_[A-Za-z0-9_-]{43}$/);
      await expectNoAxeViolations(it, '/settings/sso/directory (a token just created)');
      // Shown once: a reload lists the token by its label only.
      await it.reload();
      await expect(it.getByRole('listitem', { name: 'Entra ID provisioning' })).toContainText('not used yet');
      expect(await it.content()).not.toContain(token);
    } finally {
      await itContext.close();
    }
  });

  const scim = entraClient(scimBaseUrl, token);
  let userId = '';
  await test.step('Entra ID looks the member up, provisions them and a group', async () => {
    const lookup = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${idp.user.email}"`)}`);
    expect(lookup.body.totalResults).toBe(0);
    const created = await scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      externalId: 'e2e-member',
      userName: idp.user.email,
      active: true,
      displayName: idp.user.name,
      emails: [{ primary: true, type: 'work', value: idp.user.email }],
    });
    expect(created.status).toBe(201);
    userId = created.body.id as string;
    const group = await scim('POST', '/Groups', { displayName: 'Engineering', members: [{ value: userId }] });
    expect(group.status).toBe(201);
  });

  const signedIn = await memberSignsIn(browser, e2e.baseUrl, freshOrg.developerId, idp);
  try {
    await test.step('the member signs in through SSO', async () => {
      await expect(signedIn.page).toHaveURL(/\/member$/);
      expect(await signedIn.member.identity()).toMatchObject({ Email: idp.user.email });
    });

    await test.step('Entra ID deactivates the member; their console session ends within the re-check interval', async () => {
      const off = await scim('PATCH', `/Users/${userId}`, {
        schemas: [PATCH_SCHEMA],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      });
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      await expect(async () => {
        await signedIn.page.goto('/member');
        await expect(signedIn.page.getByRole('heading', { name: 'You are not signed in' })).toBeVisible({
          timeout: 1_000,
        });
      }).toPass({ timeout: RECHECK_SECONDS * 1000 + 5_000, intervals: [1_000] });
    });
  } finally {
    await signedIn.context.close();
  }

  await test.step('their next sign-in is refused with a page that says why', async () => {
    const again = await memberSignsIn(browser, e2e.baseUrl, freshOrg.developerId, idp);
    try {
      await expect(again.member.alert()).toContainText('Your account is deactivated');
      await expect(again.page).not.toHaveURL(/\/member$/);
    } finally {
      await again.context.close();
    }
  });

  await test.step('the admin sees the reason in the sign-in activity and the member deactivated', async () => {
    const attempts = adminPage.getByRole('list', { name: 'Sign-in attempts' }).getByRole('listitem');
    await expect(async () => {
      await adminPage.goto('/settings/sso/activity');
      await expect(attempts.filter({ hasText: 'The member is deactivated in the directory' })).toHaveCount(1);
    }).toPass({ timeout: 10_000 });
    await adminPage.goto('/settings/sso/directory');
    const row = adminPage.getByRole('row').filter({ hasText: idp.user.email });
    await expect(row).toContainText('deactivated');
    await expect(row).toContainText('Engineering');
    await expectNoAxeViolations(adminPage, '/settings/sso/directory');
    await screenshotFor(adminPage, 'directory-sync-desktop', adminPage.getByRole('heading', { name: 'People' }));
  });
});
