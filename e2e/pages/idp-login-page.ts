import { expect, type Page } from '@playwright/test';

/**
 * The identity provider's login form — the ONLY code that knows it. The defaults fit the dev IdP
 * (lib/dev-idp: Username, Password, Sign in, Cancel). For Okta, Entra ID or Google, adapt `signIn` here
 * (multi-step forms, "Next" buttons, consent screens) and every spec follows.
 */
export class IdpLoginPage {
  constructor(readonly page: Page) {}

  readonly username = () => this.page.getByLabel('Username', { exact: true });
  readonly password = () => this.page.getByLabel('Password', { exact: true });
  readonly submit = () => this.page.getByRole('button', { name: 'Sign in', exact: true });
  readonly cancelButton = () => this.page.getByRole('button', { name: 'Cancel', exact: true });
  readonly error = () => this.page.getByRole('alert');

  /** Waits until the browser shows the IdP's login form (it arrives through redirects). */
  async expectVisible(issuer?: string): Promise<void> {
    if (issuer) await expect(this.page).toHaveURL((url) => url.href.startsWith(new URL(issuer).origin));
    await expect(this.username()).toBeVisible();
  }

  /** Signs in and returns once the browser has left the IdP (back at the relying party, or at an error). */
  async signIn(user: { username: string; password: string }, issuer?: string): Promise<void> {
    await this.expectVisible(issuer);
    await this.username().fill(user.username);
    await this.password().fill(user.password);
    const idpOrigin = new URL(this.page.url()).origin;
    await this.submit().click();
    await this.page.waitForURL((url) => url.origin !== idpOrigin);
  }

  /** Enters wrong credentials; the IdP stays on its form and says why. */
  async signInExpectingError(user: { username: string; password: string }): Promise<void> {
    await this.expectVisible();
    await this.username().fill(user.username);
    await this.password().fill(user.password);
    await this.submit().click();
    await expect(this.error()).toBeVisible();
  }

  /**
   * RP-initiated logout: the IdP's end-session page asks whether to sign out (the dev IdP: "Yes, sign me out");
   * confirms and returns once the browser has left the IdP (back at the console's post-logout page).
   */
  async confirmLogout(): Promise<void> {
    const yes = this.page.getByRole('button', { name: 'Yes, sign me out' });
    await expect(yes).toBeVisible();
    const idpOrigin = new URL(this.page.url()).origin;
    await yes.click();
    await this.page.waitForURL((url) => url.origin !== idpOrigin);
  }

  /** Declines the login; the IdP sends the browser back with error=access_denied. */
  async cancel(): Promise<void> {
    await this.expectVisible();
    const idpOrigin = new URL(this.page.url()).origin;
    await this.cancelButton().click();
    await this.page.waitForURL((url) => url.origin !== idpOrigin);
  }
}
