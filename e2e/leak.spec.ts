/**
 * A whole admin + member session while recording everything the browser receives: the client secret (a
 * unique canary and the real one) and the API key must never come back in any response header or body.
 * Axe runs on each main page along the way.
 */
import { randomUUID } from 'node:crypto';
import { expectNoAxeViolations } from './support/axe';
import { BREAK_GLASS_IN_TEXT, CONSOLE_TOKEN_IN_TEXT, NetworkRecorder } from './support/network-recorder';
import { IdpLoginPage, MemberLoginPage, expect, test } from './fixtures';

test('no response ever carries the client secret or the API key', async ({
  browser,
  context,
  page,
  freshOrg,
  idp,
  signinPage,
  ssoSettings,
}) => {
  // The settings are reached through the connections list now (two page loads per visit).
  test.setTimeout(200_000);
  const recorder = new NetworkRecorder().attach(context);
  const canarySecret = `canary-${randomUUID()}:%+secret`;

  await test.step('admin signs in with the API key', async () => {
    await signinPage.goto();
    await expectNoAxeViolations(page, '/signin');
    await signinPage.signIn(freshOrg.apiKey);
  });

  await test.step('admin saves a config with a canary secret, then the real one', async () => {
    await ssoSettings.goto();
    await expectNoAxeViolations(page, '/settings/sso (empty)');
    await ssoSettings.save({ issuerUrl: idp.issuer, clientId: idp.clientId, clientSecret: canarySecret });
    await ssoSettings.goto();
    expect((await ssoSettings.readOidcConnection()).clientSecret, 'the secret field is never pre-filled').toBe('');
    await ssoSettings.save({ issuerUrl: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    await ssoSettings.goto();
    await expectNoAxeViolations(page, '/settings/sso (configured)');
  });

  await test.step('admin runs the test sign-in', async () => {
    const tab = await ssoSettings.testSignIn();
    await new IdpLoginPage(tab).signIn(idp.user, idp.issuer);
    await expect(tab.getByText(idp.user.email).first()).toBeVisible();
    await expectNoAxeViolations(tab, 'test sign-in result');
    await recorder.settle();
    if (tab !== page) await tab.close();
  });

  await test.step('a member signs in through the hosted login in their own browser', async () => {
    // A separate context: the member has no admin cookies and no IdP session from the test sign-in.
    const memberContext = await browser.newContext();
    recorder.attach(memberContext);
    const memberPage = await memberContext.newPage();
    const member = new MemberLoginPage(memberPage);
    await member.goto(freshOrg.developerId);
    await expectNoAxeViolations(memberPage, '/login');
    await member.continueWithSso();
    await new IdpLoginPage(memberPage).signIn(idp.user, idp.issuer);
    const identity = await member.identity();
    expect(identity.Email).toBe(idp.user.email);
    expect(identity['Developer ID']).toBe(freshOrg.developerId);
    await expectNoAxeViolations(memberPage, '/member');
    await member.signOut();
    // The dev IdP's end-session page (RP-initiated logout), then the console's signed-out page.
    await new IdpLoginPage(memberPage).confirmLogout();
    await expectNoAxeViolations(memberPage, '/member/signed-out');
    await recorder.settle();
    await memberContext.close();
  });

  await test.step('admin signs out', async () => {
    await ssoSettings.goto();
    await ssoSettings.signOut();
  });

  const { findings, responses } = await recorder.findSecrets({
    'API key': freshOrg.apiKey,
    'canary client secret': canarySecret,
    'client secret': idp.clientSecret,
  });
  expect(responses, 'responses recorded').toBeGreaterThan(10);
  expect(findings).toEqual([]);
  // Console session tokens and break-glass credentials have formats, not known values: no response carries one.
  expect(await recorder.findPattern('console session token', CONSOLE_TOKEN_IN_TEXT)).toEqual([]);
  expect(await recorder.findPattern('break-glass credential', BREAK_GLASS_IN_TEXT)).toEqual([]);

  // Positive control: the developer ID is on the settings page, so the recorder must find it. Proves the
  // empty list above comes from clean responses, not from a recorder that saw nothing.
  const control = await recorder.findSecrets({ 'developer ID': freshOrg.developerId });
  expect(control.findings.length, 'recorder finds a value that is in the responses').toBeGreaterThan(0);
});
