/**
 * The Logout card of a connection's page: a SAML connection shows its single logout URL (also in its SP metadata)
 * and takes the IdP's single logout URL (saving it makes the connection's signing key, whose certificate the
 * metadata then lists); an OIDC connection shows its back-channel logout URI and the post-logout redirect URI to
 * register. The member's sign-out through the IdP is in member.spec.ts.
 */
import { test, expect } from './fixtures';
import { expectNoAxeViolations } from './support/axe';
import { ConnectionLogoutCard } from './pages/connection-logout-card';

test('a SAML connection: the single logout URL to give the IdP, and the IdP single logout URL saved', async ({
  adminPage: page,
  e2e,
  freshOrg,
  idp,
  ssoSettings,
}) => {
  const res = await fetch(`${e2e.grantexUrl}/v1/sso/connections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${freshOrg.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'SAML logout', protocol: 'saml', idpMetadataUrl: `${idp.issuer}/saml/metadata` }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const created = (await res.json()) as { id: string; spSloUrl: string };
  await ssoSettings.openConnection('SAML logout');
  const card = new ConnectionLogoutCard(page, 'SAML logout');
  await card.expectVisible();
  await expect(card.copiedValue('Copy single logout URL')).toHaveText(created.spSloUrl);
  await expectNoAxeViolations(page, 'connection page with its Logout card');

  await card.saveIdpSloUrl('not a url');
  await expect(card.region().getByText('Enter the identity provider’s single logout URL')).toBeVisible();
  await card.saveIdpSloUrl('https://idp.example.test/saml/slo');
  await expect(card.status()).toContainText('Single logout URL saved');
  await expect(card.idpSloUrl()).toHaveValue('https://idp.example.test/saml/slo');
  const metadata = await (await fetch(`${e2e.grantexUrl}/sso/saml/${created.id}/metadata`)).text();
  expect(metadata).toContain(`Location="${created.spSloUrl}"`);
  expect(metadata).toContain('use="signing"');
});

test('an OIDC connection: the back-channel logout URI and the post-logout redirect URI to register', async ({
  adminPage: page,
  e2e,
  freshOrg,
  idp,
  ssoSettings,
}) => {
  const res = await fetch(`${e2e.grantexUrl}/v1/sso/config`, {
    method: 'POST',
    headers: { authorization: `Bearer ${freshOrg.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri: `${e2e.baseUrl}/sso/callback`,
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  await ssoSettings.goto();
  const name = (await page.getByRole('heading', { level: 1 }).innerText()).trim();
  const card = new ConnectionLogoutCard(page, name);
  await card.expectVisible();
  await expect(card.copiedValue('Copy back-channel logout URI')).toHaveText(/\/sso\/oidc\/[^/]+\/backchannel-logout$/);
  await expect(card.copiedValue('Copy post-logout redirect URI')).toHaveText(`${e2e.baseUrl}/member/signed-out`);
});
