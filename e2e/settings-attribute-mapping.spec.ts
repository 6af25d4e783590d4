/**
 * A SAML connection's attribute mapping and a connection's session settings through the console, against the dev
 * IdP's SAML side: after a test sign-in the page shows what the IdP sent; the admin fills the fields from a vendor
 * preset, edits one, saves, and the saved mapping is what the page shows after a reload (and what the next test
 * sign-in reads). Without JavaScript the preset button fills the fields through the server. Axe on the section.
 */
import type { Page } from '@playwright/test';
import { test, expect, IdpLoginPage, MemberLoginPage } from './fixtures';
import { expectNoAxeViolations } from './support/axe';
import { withoutJavaScript } from './support/no-js';

const SHIBBOLETH_MAIL = 'urn:oid:0.9.2342.19200300.100.1.3';

async function createSamlConnection(page: Page, issuer: string, name: string): Promise<void> {
  await page.goto('/settings/sso/new?protocol=saml');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('radio', { name: 'Metadata URL', exact: true }).check();
  await page.getByLabel('IdP metadata URL', { exact: true }).fill(`${issuer}/saml/metadata`);
  await page.getByRole('radio', { name: 'Testing', exact: true }).check();
  await page.getByRole('button', { name: 'Create connection' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

test.describe('SAML attribute mapping', () => {
  test('shows what the last test sign-in received, fills from a preset, saves; the session length saves too', async ({
    adminPage: page,
    idp,
  }) => {
    await createSamlConnection(page, idp.issuer, 'Mapped SAML');
    const section = page.getByRole('region', { name: 'Attribute mapping' });
    await expect(section.getByText(/No test sign-in has recorded attributes yet/)).toBeVisible();

    // A test sign-in: its attributes (the dev IdP sends email, displayName and uid) appear next to the fields.
    const opened = page.context().waitForEvent('page');
    await page.getByRole('button', { name: 'Test sign-in' }).click();
    const tab = await opened;
    await new IdpLoginPage(tab).signIn(idp.user, idp.issuer);
    await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
    await tab.close();
    await page.reload();
    const received = section.getByRole('table', { name: 'Received in the last test sign-in' });
    await expect(received.getByRole('row', { name: /^email / })).toContainText(idp.user.email);
    await expect(received.getByRole('row', { name: /^displayName / })).toContainText(idp.user.name);
    await expectNoAxeViolations(page);

    // A preset fills the fields; the admin still edits before saving.
    await section.getByLabel('Vendor preset').selectOption({ label: 'Shibboleth IdP' });
    await section.getByRole('button', { name: 'Fill from preset' }).click();
    await expect(section.getByRole('status')).toContainText('Filled with the Shibboleth IdP preset');
    await expect(section.getByLabel('Email attribute')).toHaveValue(SHIBBOLETH_MAIL);
    await expect(section.getByLabel('Subject attribute')).toHaveValue('');
    await section.getByLabel('Email attribute').fill(`${SHIBBOLETH_MAIL}, email`);
    await section.getByLabel('Display name attribute').fill('displayName');
    await section.getByRole('button', { name: 'Save attribute mapping' }).click();
    await expect(section.getByRole('status')).toContainText('Attribute mapping saved');

    await page.reload();
    await expect(section.getByLabel('Email attribute')).toHaveValue(`${SHIBBOLETH_MAIL}, email`);
    await expect(section.getByLabel('Display name attribute')).toHaveValue('displayName');
    await expect(section.getByLabel('Family name attribute')).toHaveValue('urn:oid:2.5.4.4');

    // The saved mapping is what the next test sign-in reads (email through the second name).
    const again = page.context().waitForEvent('page');
    await page.getByRole('button', { name: 'Test sign-in' }).click();
    const second = await again;
    await new IdpLoginPage(second).signIn(idp.user, idp.issuer);
    await expect(second.getByText('Test sign-in succeeded')).toBeVisible();
    expect(await new MemberLoginPage(second).identity()).toMatchObject({ Email: idp.user.email, Name: idp.user.name });
    await second.close();

    // A refused value stays in the field with its message linked to it.
    await section.getByLabel('Groups attribute').fill('a, b, c, d, e, f');
    await section.getByRole('button', { name: 'Save attribute mapping' }).click();
    const groups = section.getByLabel('Groups attribute');
    await expect(groups).toHaveValue('a, b, c, d, e, f');
    await expect(groups).toHaveAccessibleDescription(/Give at most 5 attribute names/);

    // Session length: minutes in the form.
    const session = page.getByRole('region', { name: 'Session settings' });
    await expect(session.getByLabel('Maximum authentication age (minutes)')).toHaveCount(0);
    await session.getByLabel('Maximum session length (minutes)').fill('3');
    await session.getByRole('button', { name: 'Save session settings' }).click();
    await expect(session.getByLabel('Maximum session length (minutes)')).toHaveAccessibleDescription(
      /between 5 minutes and 30 days/,
    );
    await session.getByLabel('Maximum session length (minutes)').fill('30');
    await session.getByRole('button', { name: 'Save session settings' }).click();
    await expect(session.getByRole('status')).toContainText('Session settings saved');
    await page.reload();
    await expect(session.getByLabel('Maximum session length (minutes)')).toHaveValue('30');
  });

  test('without JavaScript the preset button fills the fields from the server, nothing saved', async ({
    adminPage: page,
    idp,
    browser,
    e2e,
  }) => {
    await createSamlConnection(page, idp.issuer, 'No-JS SAML');
    const connectionUrl = page.url();
    await withoutJavaScript(browser, e2e.baseUrl, page, async (noJs) => {
      await noJs.goto(connectionUrl);
      const section = noJs.getByRole('region', { name: 'Attribute mapping' });
      await section.getByLabel('Vendor preset').selectOption({ label: 'Microsoft Entra ID' });
      await section.getByRole('button', { name: 'Fill from preset' }).click();
      await expect(section.getByLabel('Email attribute')).toHaveValue(
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      );
      await expect(section.getByText(/nothing is saved yet/)).toBeVisible();
    });
    await page.reload();
    await expect(page.getByRole('region', { name: 'Attribute mapping' }).getByLabel('Email attribute')).toHaveValue('');
  });
});
