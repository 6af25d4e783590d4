/**
 * The one place specs get `test` and `expect` from. Fixtures:
 *   freshOrg   a new organization per test (POST /v1/signup), or the E2E_API_KEY org with its SSO config cleared
 *   adminPage  `page`, signed in as freshOrg through the real /signin form
 *   idp        the IdP to configure and the user to log in as (dev IdP locally, E2E_IDP_* for a deployment)
 *   signinPage, ssoSettings, memberLogin, idpLogin   page objects bound to `page`
 */
import { test as base, expect, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { IdpLoginPage } from './pages/idp-login-page';
import { MemberLoginPage } from './pages/member-login-page';
import { SigninPage } from './pages/signin-page';
import { SsoSettingsPage } from './pages/sso-settings-page';
import { existingOrg, signUp, type Org } from './support/grantex-api';
import { e2eSettings, type E2eSettings, type IdpSettings } from './support/env';

export { expect };
export type { Org } from './support/grantex-api';
export type { IdpSettings } from './support/env';
export { IdpLoginPage, MemberLoginPage, SigninPage, SsoSettingsPage };

interface TestFixtures {
  freshOrg: Org;
  adminPage: Page;
  signinPage: SigninPage;
  ssoSettings: SsoSettingsPage;
  memberLogin: MemberLoginPage;
  idpLogin: IdpLoginPage;
}

interface WorkerFixtures {
  e2e: E2eSettings;
  idp: IdpSettings;
}

// Fixture callbacks name their callback `provide`, not `use`: eslint's react-hooks rule mistakes `use` for React's.
export const test = base.extend<TestFixtures, WorkerFixtures>({
  e2e: [
    async ({}, provide) => {
      await provide(e2eSettings());
    },
    { scope: 'worker' },
  ],
  idp: [
    async ({ e2e }, provide) => {
      await provide(e2e.idp);
    },
    { scope: 'worker' },
  ],

  freshOrg: async ({ e2e }, provide, testInfo) => {
    const org = e2e.apiKey
      ? await existingOrg(e2e.grantexUrl, e2e.apiKey)
      : await signUp(e2e.grantexUrl, `${testInfo.titlePath.slice(1).join(' › ')} ${randomUUID().slice(0, 8)}`);
    await provide(org);
  },

  adminPage: async ({ page, freshOrg }, provide) => {
    const signin = new SigninPage(page);
    await signin.goto();
    await signin.signIn(freshOrg.apiKey);
    await provide(page);
  },

  signinPage: async ({ page }, provide) => provide(new SigninPage(page)),
  ssoSettings: async ({ page }, provide) => provide(new SsoSettingsPage(page)),
  memberLogin: async ({ page }, provide) => provide(new MemberLoginPage(page)),
  idpLogin: async ({ page }, provide) => provide(new IdpLoginPage(page)),
});
