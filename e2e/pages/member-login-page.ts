import { expect, type Page } from '@playwright/test';

/** The hosted member login (/login?org=…) and the member's page after it (/member). */
export class MemberLoginPage {
  constructor(readonly page: Page) {}

  readonly orgInput = () => this.page.getByLabel('Organization ID');
  readonly continueButton = () => this.page.getByRole('button', { name: 'Continue with SSO' });
  readonly signOutButton = () => this.page.getByRole('button', { name: 'Sign out', exact: true });
  // Scoped to <main>: Next's route announcer (outside main) also has role=alert.
  readonly alert = () => this.page.locator('main').getByRole('alert');
  /** A confirmation such as "You have signed out." (role=status). */
  readonly status = () => this.page.locator('main').getByRole('status');

  async goto(org?: string): Promise<void> {
    await this.page.goto(org ? `/login?org=${encodeURIComponent(org)}` : '/login');
  }

  /** Starts the SSO login; the browser goes on to the IdP (drive it with IdpLoginPage). */
  async continueWithSso(org?: string): Promise<void> {
    if (org !== undefined) await this.orgInput().fill(org);
    await this.continueButton().click();
    await this.page.waitForURL((url) => !url.pathname.startsWith('/login'));
  }

  /** The identity shown after a member login, read from its <dl> (term → definition). */
  async identity(): Promise<Record<string, string>> {
    const list = this.page.locator('dl').first();
    await expect(list).toBeVisible();
    const terms = await list.locator('dt').allInnerTexts();
    const values = await list.locator('dd').allInnerTexts();
    return Object.fromEntries(terms.map((t, i) => [t.trim(), (values[i] ?? '').trim()]));
  }

  async signOut(): Promise<void> {
    await this.signOutButton().click();
    await expect(this.signOutButton()).toBeHidden();
  }
}
