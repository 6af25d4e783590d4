/**
 * Email trust and identity-provider changes on a connection's page, against the real stack: the
 * "Accept only emails in this organization's verified domains" checkbox saves both ways and is shown back, and a
 * new issuer warns that members start over before anything is saved — live with JavaScript, and as the answer to
 * the first save without it.
 */
import { test, expect } from './fixtures';
import { createConnection } from './support/grantex-api';
import { withoutJavaScript } from './support/no-js';

const NAME = 'Okta (email trust)';
const CHECKBOX = "Accept only emails in this organization's verified domains";
const WARNING =
  /Changing the identity provider starts a new set of members: people who signed in before will be new members/;
const CONFIRM = 'I understand: save with the new identity provider';

test.describe('email trust and a new identity provider', () => {
  test('the verified-domains checkbox saves on and off; a new issuer warns before the save', async ({
    adminPage: page,
    ssoSettings,
    idp,
    freshOrg,
    e2e,
    browser,
    baseURL,
  }) => {
    test.setTimeout(120_000);
    await createConnection(e2e.grantexUrl, freshOrg.apiKey, {
      name: NAME,
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri: `${baseURL}/sso/callback`,
    });
    await ssoSettings.openConnection(NAME);
    const box = page.getByLabel(CHECKBOX, { exact: true });
    await expect(box).not.toBeChecked();
    await expect(page.getByText('Any (each session says whether the email is verified)')).toBeVisible();

    // On: saved (the saved secret is kept: same issuer), and shown back after a reload.
    await box.check();
    await ssoSettings.submit();
    await expect(ssoSettings.status()).toBeVisible();
    await page.reload();
    await expect(page.getByLabel(CHECKBOX, { exact: true })).toBeChecked();
    await expect(page.getByText('Only verified emails in this organization’s verified domains')).toBeVisible();

    // Off again: an unticked box sends nothing, and still turns it off.
    await page.getByLabel(CHECKBOX, { exact: true }).uncheck();
    await ssoSettings.submit();
    await expect(ssoSettings.status()).toBeVisible();
    await page.reload();
    await expect(page.getByLabel(CHECKBOX, { exact: true })).not.toBeChecked();

    // A new issuer: the warning and its box appear while typing, and go when the saved issuer is back.
    await expect(page.getByText(WARNING)).toHaveCount(0);
    await ssoSettings.issuerUrl().fill('https://other-idp.example.com');
    await expect(page.getByText(WARNING)).toBeVisible();
    await expect(page.getByLabel(CONFIRM)).not.toBeChecked();
    await ssoSettings.issuerUrl().fill(idp.issuer);
    await expect(page.getByText(WARNING)).toHaveCount(0);

    // Without JavaScript: the first save of a new issuer is refused with the warning and the box; nothing saved.
    await withoutJavaScript(browser, baseURL ?? '', page, async (noJs) => {
      await noJs.goto(page.url());
      await expect(noJs.getByText(WARNING)).toHaveCount(0);
      await noJs.getByLabel('Issuer URL', { exact: true }).fill('https://other-idp.example.com');
      await noJs.getByLabel('Client secret', { exact: true }).fill('another-secret');
      await noJs.getByRole('button', { name: 'Save connection' }).click();
      await expect(noJs.getByText(WARNING)).toBeVisible();
      await expect(noJs.getByLabel(CONFIRM)).toBeVisible();
      await expect(
        noJs.getByText('Tick the box to confirm the new identity provider, then save again.').first(),
      ).toBeVisible();
    });
    await page.reload();
    await expect(ssoSettings.issuerUrl()).toHaveValue(idp.issuer);
  });
});
