import { expect, type Page } from '@playwright/test';

/** The admin sign-in at /signin (API key, or a demo organization in development). */
export class SigninPage {
  constructor(readonly page: Page) {}

  readonly apiKey = () => this.page.getByLabel('API key', { exact: true });
  readonly signInButton = () => this.page.getByRole('button', { name: 'Sign in', exact: true });
  readonly createDemoButton = () => this.page.getByRole('button', { name: 'Create a demo organization' });
  readonly continueButton = () => this.page.getByRole('button', { name: 'Continue', exact: true });
  // Scoped to <main>: Next's route announcer (outside main) also has role=alert.
  readonly formError = () => this.page.locator('main').getByRole('alert');

  async goto(): Promise<void> {
    await this.page.goto('/signin');
    await expect(this.apiKey()).toBeVisible();
  }

  /** Submits the key; returns once the console has moved past /signin (i.e. the key was accepted). */
  async signIn(apiKey: string): Promise<void> {
    await this.apiKey().fill(apiKey);
    await this.signInButton().click();
    await this.page.waitForURL((url) => !url.pathname.startsWith('/signin'));
  }

  /** Submits a key expected to be refused; the page stays and shows the reason. */
  async signInExpectingError(apiKey: string): Promise<void> {
    await this.apiKey().fill(apiKey);
    await this.signInButton().click();
    await expect(this.formError()).toBeVisible();
    await expect(this.page).toHaveURL(/\/signin/);
  }

  /**
   * Creates a demo organization and returns the one-time API key the page shows (before Continue).
   * Prefer the `freshOrg` fixture: this page is the one place the key is meant to reach the browser.
   */
  async createDemoOrganization(): Promise<string> {
    await this.createDemoButton().click();
    await expect(this.continueButton()).toBeVisible();
    const text = await this.page.locator('main').innerText();
    const key = /gx_(?:live|test)_[A-Za-z0-9_-]{20,}/.exec(text)?.[0];
    if (!key) throw new Error('The demo signup page did not show an API key');
    return key;
  }
}
