import { expect, type Page } from '@playwright/test';

/**
 * LemonLDAP::NG's login form (the interop IdP, scripts/interop/lemonldap.ts) — the only e2e code that knows it.
 * Its inputs are labelled by icons only, so they are found by name; the submit button reads "Connect".
 */
export class LemonLdapLoginPage {
  constructor(readonly page: Page) {}

  readonly form = () => this.page.locator('form#lform');
  readonly username = () => this.form().locator('input[name="user"]');
  readonly password = () => this.form().locator('input[name="password"]');
  readonly submit = () => this.form().getByRole('button', { name: 'Connect' });

  /** Waits for LemonLDAP's form (it arrives through redirects), signs in, and returns once the browser left it. */
  async signIn(user: { username: string; password: string }, issuer: string): Promise<void> {
    const origin = new URL(issuer).origin;
    await expect(this.page).toHaveURL((url) => url.origin === origin);
    await expect(this.username()).toBeVisible();
    await this.username().fill(user.username);
    await this.password().fill(user.password);
    await this.submit().click();
    await this.page.waitForURL((url) => url.origin !== origin);
  }
}
