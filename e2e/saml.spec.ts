/**
 * SAML connections through the console against the dev IdP's SAML side (lib/dev-idp/saml, metadata at
 * `<dev IdP>/saml/metadata`): the admin creates one from the metadata URL, sees the service provider details and
 * the certificate, runs a test sign-in, sets it active, and a member signs in through /login?org= and lands on
 * /member with a session. An expired certificate is refused with a clear reason. Axe on the SAML pages.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, IdpLoginPage, MemberLoginPage } from './fixtures';
import { expectNoAxeViolations } from './support/axe';
import { certificatePem } from './support/certificates';
import { screenshotFor } from './support/screenshots';
import { withoutJavaScript } from './support/no-js';

const samlMetadataUrl = (issuer: string) => `${issuer}/saml/metadata`;

/** The dev IdP's signing certificate as its metadata publishes it. */
async function devIdpCertificate(issuer: string): Promise<X509Certificate> {
  const xml = await (await fetch(samlMetadataUrl(issuer))).text();
  const body = /<(?:ds:)?X509Certificate>([^<]+)</.exec(xml)?.[1];
  if (!body) throw new Error('the dev IdP metadata has no certificate');
  return new X509Certificate(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
}

const DAY = 24 * 3600 * 1000;
const expiredCertificatePem = () => certificatePem(new Date('2020-01-01T00:00:00Z'), new Date('2021-01-01T00:00:00Z'));

async function gotoNewSaml(page: Page): Promise<void> {
  await page.goto('/settings/sso/new');
  await page.getByRole('radio', { name: 'SAML 2.0', exact: true }).check();
  await expect(page).toHaveURL(/\?protocol=saml$/);
  await expect(page.getByRole('radio', { name: 'Metadata URL', exact: true })).toBeVisible();
}

test.describe('SAML connections', () => {
  test('created from the dev IdP metadata URL, tested, set active, then a member signs in', async ({
    adminPage: page,
    freshOrg,
    idp,
    e2e,
    browser,
  }) => {
    const certificate = await devIdpCertificate(idp.issuer);

    await gotoNewSaml(page);
    await expectNoAxeViolations(page);
    await page.getByLabel('Name', { exact: true }).fill('Dev IdP (SAML)');
    await page.getByRole('radio', { name: 'Metadata URL', exact: true }).check();
    await page.getByLabel('IdP metadata URL', { exact: true }).fill(samlMetadataUrl(idp.issuer));
    await page.getByRole('radio', { name: 'Testing', exact: true }).check();
    // IdP-initiated sign-in is off unless asked for, and says what it gives up.
    await expect(page.getByRole('checkbox', { name: 'Allow IdP-initiated sign-in' })).not.toBeChecked();
    await expect(page.getByText(/gives up the protection against login CSRF/)).toBeVisible();
    await screenshotFor(page, 'saml-new-desktop');
    await page.getByRole('button', { name: 'Create connection' }).click();

    await expect(page.getByRole('heading', { level: 1, name: 'Dev IdP (SAML)' })).toBeVisible();
    const connectionId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    // The SP details the admin gives the IdP: the ACS URL is the console's route, naming the connection.
    const acs = `${e2e.baseUrl}/sso/callback/saml?connection=${encodeURIComponent(connectionId)}`;
    await expect(page.getByRole('button', { name: 'Copy SP entity ID' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Copy ACS URL' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Copy SP metadata URL' })).toBeVisible();
    await expect(page.getByText(acs, { exact: true })).toBeVisible();
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download SP metadata (XML)' }).click();
    const xml = readFileSync(await (await download).path(), 'utf8');
    expect(xml).toContain('EntityDescriptor');
    expect(xml).toContain(acs.replace(/&/g, '&amp;'));
    // The IdP certificate: its SHA-256 fingerprint and expiry, valid.
    const certs = page.getByRole('region', { name: 'IdP certificates' });
    await expect(certs.getByText(certificate.fingerprint256, { exact: true })).toBeVisible();
    await expect(certs.getByText('Valid', { exact: true })).toBeVisible();
    await expect(certs.locator(`time[datetime="${new Date(certificate.validTo).toISOString()}"]`)).toBeVisible();
    await expectNoAxeViolations(page);
    await screenshotFor(
      page,
      'saml-connection-desktop',
      page.getByRole('heading', { name: 'Service provider details' }),
    );

    // Test sign-in (the connection is in Testing): the dev IdP's login page, then the identity.
    const context = page.context();
    const opened = context.waitForEvent('page');
    await page.getByRole('button', { name: 'Test sign-in' }).click();
    const tab = await opened;
    await new IdpLoginPage(tab).signIn(idp.user, idp.issuer);
    await expect(tab).toHaveURL(/\/sso\/test-result$/);
    await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
    expect(await new MemberLoginPage(tab).identity()).toMatchObject({
      'Developer ID': freshOrg.developerId,
      Email: idp.user.email,
      Name: idp.user.name,
    });
    await expect(page.getByText('Test sign-in succeeded')).toBeVisible();
    await tab.close();

    // Active: members may sign in.
    await page.getByRole('radio', { name: 'Active', exact: true }).check();
    await page.getByRole('button', { name: 'Update status' }).click();
    await expect(page.getByText(/Status set to Active/)).toBeVisible();

    const member = await (await browser.newContext({ baseURL: e2e.baseUrl })).newPage();
    const memberLogin = new MemberLoginPage(member);
    await memberLogin.goto(freshOrg.developerId);
    await memberLogin.continueWithSso();
    await new IdpLoginPage(member).signIn(idp.user, idp.issuer);
    await expect(member).toHaveURL(/\/member$/);
    expect(await memberLogin.identity()).toMatchObject({
      'Developer ID': freshOrg.developerId,
      Email: idp.user.email,
      Name: idp.user.name,
    });
    await expect(member.getByLabel('SSO session')).toBeVisible();
    await member.context().close();
  });

  test('IdP metadata refresh: shown on a connection made from a metadata URL, and Refresh now reads it again', async ({
    adminPage: page,
    idp,
  }) => {
    await gotoNewSaml(page);
    await page.getByLabel('Name', { exact: true }).fill('Refreshed from metadata');
    await page.getByLabel('IdP metadata URL', { exact: true }).fill(samlMetadataUrl(idp.issuer));
    await page.getByRole('button', { name: 'Create connection' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Refreshed from metadata' })).toBeVisible();
    const refresh = page.getByRole('region', { name: 'IdP metadata refresh' });
    await expect(refresh.getByText(samlMetadataUrl(idp.issuer), { exact: true })).toBeVisible();
    await expect(refresh.getByText('Not refreshed yet')).toHaveCount(2);
    await refresh.getByRole('button', { name: 'Refresh now' }).click();
    await expect(page).toHaveURL(/\?metadata=unchanged#saml-metadata$/);
    await expect(refresh.getByText('The metadata was read; nothing needed to change.')).toBeVisible();
    await expect(refresh.getByText(/^No changes/)).toBeVisible();
    await expect(refresh.getByText('Not refreshed yet')).toHaveCount(0);
    await expectNoAxeViolations(page);
  });

  test('rotation: a second certificate that expires within 30 days is flagged, and removing it leaves the first', async ({
    adminPage: page,
    idp,
  }) => {
    await gotoNewSaml(page);
    await page.getByLabel('IdP metadata URL', { exact: true }).fill(samlMetadataUrl(idp.issuer));
    await page.getByRole('button', { name: 'Create connection' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Identity provider' })).toBeVisible();
    // The connection form says it was saved (focused, so it is read out), once: the address that asked is dropped.
    const saved = page.getByRole('status').filter({ hasText: 'SAML connection saved' });
    await expect(saved).toHaveText(/SAML connection saved\. Run a test sign-in to check it\.$/);
    await expect(saved).toBeFocused();
    await expect(page).not.toHaveURL(/saved=1/);
    const certs = page.getByRole('region', { name: 'IdP certificates' });
    const soon = certificatePem(new Date(Date.now() - DAY), new Date(Date.now() + 10 * DAY));
    const soonFingerprint = new X509Certificate(soon).fingerprint256;
    await certs.getByLabel('New IdP certificate', { exact: true }).fill(soon);
    await certs.getByRole('button', { name: 'Add certificate' }).click();
    await expect(certs.getByRole('status')).toContainText('Both certificates verify');
    await expect(certs.getByText(soonFingerprint, { exact: true })).toBeVisible();
    await expect(certs.getByText('Expires soon', { exact: true })).toBeVisible();
    await expect(
      certs.getByText(/An IdP certificate expires on .*Add the identity provider’s new certificate now/),
    ).toBeVisible();
    await expectNoAxeViolations(page);
    await certs.getByRole('button', { name: `Remove certificate ${soonFingerprint.slice(0, 11)}` }).click();
    await expect(certs.getByRole('status')).toContainText('Certificate removed');
    await expect(certs.getByText(soonFingerprint, { exact: true })).toHaveCount(0);
    await expect(certs.getByText('Valid', { exact: true })).toHaveCount(1);
  });

  test('an expired IdP certificate is refused with a clear reason; a response posted without a sign-in is refused', async ({
    adminPage: page,
    idp,
    browser,
    e2e,
  }) => {
    await gotoNewSaml(page);
    await page.getByRole('radio', { name: 'Enter the details', exact: true }).check();
    await page.getByLabel('IdP entity ID', { exact: true }).fill(samlMetadataUrl(idp.issuer));
    await page.getByLabel('IdP SSO URL', { exact: true }).fill(`${idp.issuer}/saml/sso`);
    await page.getByLabel('IdP signing certificate', { exact: true }).fill(expiredCertificatePem());
    await page.getByRole('button', { name: 'Create connection' }).click();
    const field = page.getByLabel('IdP signing certificate', { exact: true });
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    // The keyboard goes to the first field with a problem.
    await expect(field).toBeFocused();
    await expect(page.getByText(/certificate has expired/i)).toBeVisible();
    // The certificate is write-only: never sent back; the other values are kept.
    await expect(field).toHaveValue('');
    await expect(page.getByLabel('IdP SSO URL', { exact: true })).toHaveValue(`${idp.issuer}/saml/sso`);
    await expectNoAxeViolations(page);

    // Login CSRF: a SAML response (here a fake) with a RelayState this browser never started is refused
    // at the console, without reaching Grantex.
    const victim = await (await browser.newContext({ baseURL: e2e.baseUrl })).newPage();
    await victim.setContent(
      `<form method="post" action="${e2e.baseUrl}/sso/callback/saml"><input name="SAMLResponse" value="PHNhbWxwOlJlc3BvbnNlLz4="><input name="RelayState" value="someone-elses-state"><button>Post</button></form>`,
    );
    await victim.getByRole('button', { name: 'Post' }).click();
    await expect(victim).toHaveURL(/\/sso\/error\?code=not_bound/);
    await victim.context().close();
  });

  test('the SAML form works without JavaScript: a refused save keeps what was typed except the certificate, then it creates', async ({
    adminPage,
    idp,
    browser,
    e2e,
  }) => {
    await withoutJavaScript(browser, e2e.baseUrl, adminPage, async (page) => {
      await page.goto('/settings/sso/new?protocol=saml');
      await page.getByLabel('Name', { exact: true }).fill('SAML without JavaScript');
      await page.getByRole('radio', { name: 'Enter the details', exact: true }).check();
      await page.getByLabel('IdP entity ID', { exact: true }).fill(samlMetadataUrl(idp.issuer));
      await page.getByLabel('IdP SSO URL', { exact: true }).fill(`${idp.issuer}/saml/sso`);
      await page.getByLabel('IdP signing certificate', { exact: true }).fill(expiredCertificatePem());
      await page.getByRole('button', { name: 'Create connection' }).click();
      const field = page.getByLabel('IdP signing certificate', { exact: true });
      await expect(field).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByText(/certificate has expired/i)).toBeVisible();
      await expect(field).toHaveValue('');
      await expect(page.getByLabel('Name', { exact: true })).toHaveValue('SAML without JavaScript');
      await expect(page.getByLabel('IdP SSO URL', { exact: true })).toHaveValue(`${idp.issuer}/saml/sso`);
      expect(await page.content(), 'the refused certificate is nowhere in the page').not.toContain(
        'BEGIN CERTIFICATE-----\nMII',
      );

      await page.getByRole('radio', { name: 'Metadata URL', exact: true }).check();
      await page.getByLabel('IdP metadata URL', { exact: true }).fill(samlMetadataUrl(idp.issuer));
      await page.getByRole('button', { name: 'Create connection' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'SAML without JavaScript' })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Copy ACS URL' })).toBeVisible();
    });
  });

  test('SP keys: signed AuthnRequests still sign in; with an encryption key the dev IdP encrypts and the test sign-in still succeeds; the key is rotated, promoted and the old one removed; the metadata follows', async ({
    adminPage: page,
    idp,
  }) => {
    await gotoNewSaml(page);
    await page.getByLabel('Name', { exact: true }).fill('SP keys');
    await page.getByLabel('IdP metadata URL', { exact: true }).fill(samlMetadataUrl(idp.issuer));
    await page.getByRole('radio', { name: 'Testing', exact: true }).check();
    await page.getByRole('button', { name: 'Create connection' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'SP keys' })).toBeVisible();
    const keys = page.getByRole('region', { name: 'Service provider keys' });
    const metadata = async () =>
      (
        await page.request.get(
          (await page.getByRole('link', { name: 'Download SP metadata (XML)' }).getAttribute('href')) ?? '',
        )
      ).text();
    await expect(keys.getByText('No keys yet.')).toHaveCount(2);
    expect(await metadata()).not.toContain('KeyDescriptor');

    // Signing on: a signing key is made and published, and a test sign-in through the dev IdP still works.
    await keys.getByRole('button', { name: 'Sign AuthnRequests', exact: true }).click();
    await expect(keys.getByText(/AuthnRequests are now signed/)).toBeVisible();
    await expect(page).toHaveURL(/spkey=signOn/);
    const signing = keys.getByRole('list', { name: 'Signing keys' });
    await expect(signing.getByText('Current', { exact: true })).toBeVisible();
    await expect(signing.getByRole('button', { name: /^Remove signing key/ })).toHaveCount(0);
    let xml = await metadata();
    expect(xml).toContain('AuthnRequestsSigned="true"');
    expect(xml).toContain('use="signing"');
    const opened = page.context().waitForEvent('page');
    await page.getByRole('button', { name: 'Test sign-in' }).click();
    const tab = await opened;
    await new IdpLoginPage(tab).signIn(idp.user, idp.issuer);
    await expect(tab.getByText('Test sign-in succeeded')).toBeVisible();
    await tab.close();

    // Encryption: add, rotate (both published), promote, remove the previous one.
    await keys.getByRole('button', { name: 'Add encryption key' }).click();
    await expect(keys.getByText(/Key made and published in the SP metadata/)).toBeVisible();
    // The dev IdP reads the SP metadata and now encrypts the assertion; the test sign-in still succeeds.
    const again = page.context().waitForEvent('page');
    await page.getByRole('button', { name: 'Test sign-in' }).click();
    const encryptedTab = await again;
    await new IdpLoginPage(encryptedTab).signIn(idp.user, idp.issuer);
    await expect(encryptedTab.getByText('Test sign-in succeeded')).toBeVisible();
    await encryptedTab.close();
    await keys.getByRole('button', { name: 'Rotate encryption key' }).click();
    await expect(keys.getByText(/New key made and published/)).toBeVisible();
    const encryption = keys.getByRole('list', { name: 'Encryption keys' });
    await expect(encryption.getByText('Next (published, not used yet)')).toBeVisible();
    await expect(keys.getByRole('button', { name: 'Rotate encryption key' })).toHaveCount(0);
    xml = await metadata();
    expect(xml.match(/use="encryption"/g)).toHaveLength(2);
    await expectNoAxeViolations(page);
    await keys.getByRole('button', { name: /^Promote encryption key/ }).click();
    await expect(keys.getByText(/The new key is now current/)).toBeVisible();
    await expect(encryption.getByText('Previous', { exact: true })).toBeVisible();
    await keys.getByRole('button', { name: /^Remove encryption key/ }).click();
    await expect(keys.getByText('Key removed.')).toBeVisible();
    await expect(encryption.getByRole('listitem')).toHaveCount(1);
    expect((await metadata()).match(/use="encryption"/g)).toHaveLength(1);
  });
});
