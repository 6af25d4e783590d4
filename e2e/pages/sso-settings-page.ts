import { expect, type Page } from '@playwright/test';

export interface SsoFormValues {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** Left as the page pre-fills it (the console's callback URL) when omitted. */
  redirectUri?: string;
}

export type ProviderName = 'Okta' | 'Microsoft Entra ID' | 'Google Workspace' | 'Auth0' | 'Keycloak' | 'Other OIDC provider';

/** The admin's SSO settings at /settings/sso. */
export class SsoSettingsPage {
  constructor(readonly page: Page) {}

  readonly heading = () => this.page.getByRole('heading', { name: 'Single sign-on' });
  readonly issuerUrl = () => this.page.getByLabel('Issuer URL', { exact: true });
  readonly clientId = () => this.page.getByLabel('Client ID', { exact: true });
  readonly clientSecret = () => this.page.getByLabel('Client secret', { exact: true });
  readonly redirectUri = () => this.page.getByLabel('Redirect URI', { exact: true });
  readonly saveButton = () => this.page.getByRole('button', { name: 'Save configuration' });
  readonly testButton = () => this.page.getByRole('button', { name: 'Test sign-in' });
  readonly deleteButton = () => this.page.getByRole('button', { name: 'Delete configuration' });
  readonly dialog = () => this.page.getByRole('dialog');
  readonly copyCallbackButton = () => this.page.getByRole('button', { name: 'Copy callback URL' });
  readonly copyMemberLinkButton = () => this.page.getByRole('button', { name: 'Copy member sign-in link' });
  readonly signOutButton = () => this.page.getByRole('button', { name: 'Sign out', exact: true });
  /** The provider picker (a radio group) and the guide it shows for the chosen provider. */
  readonly providerRadio = (name: ProviderName) => this.page.getByRole('radio', { name, exact: true });
  readonly providerGuide = (name: ProviderName) => this.page.getByRole('region', { name: `${name} setup`, exact: true });
  readonly copyRedirectUriButton = () => this.page.getByRole('button', { name: 'Copy redirect URI' });
  /** The one-click fix offered when the issuer differs from the declared one only by a slash or case. */
  readonly useIssuerButton = (issuer: string) => this.page.getByRole('button', { name: `Use ${issuer}`, exact: true });
  /** The configuration form (the page also has the test sign-in and delete forms). */
  readonly form = () => this.page.locator('form').filter({ has: this.saveButton() });
  /**
   * The config form's error (role=alert) and success message (role=status). Scoped to the form: Next's route
   * announcer also has role=alert, and a test sign-in result is another role=status.
   */
  readonly formError = () => this.form().getByRole('alert');
  readonly status = () => this.form().getByRole('status');

  /** `provider` preselects a guide in the picker (`?provider=`), e.g. `entra`. */
  async goto(provider?: string): Promise<void> {
    await this.page.goto(provider ? `/settings/sso?provider=${encodeURIComponent(provider)}` : '/settings/sso');
    await expect(this.heading()).toBeVisible();
  }

  async fill(values: Partial<SsoFormValues>): Promise<void> {
    if (values.issuerUrl !== undefined) await this.issuerUrl().fill(values.issuerUrl);
    if (values.clientId !== undefined) await this.clientId().fill(values.clientId);
    if (values.clientSecret !== undefined) await this.clientSecret().fill(values.clientSecret);
    if (values.redirectUri !== undefined) await this.redirectUri().fill(values.redirectUri);
  }

  /** Clicks Save without judging the outcome (for validation tests). */
  async submit(): Promise<void> {
    await this.saveButton().click();
  }

  /** Fills, saves and waits for the success status. */
  async save(values: Partial<SsoFormValues>): Promise<void> {
    await this.fill(values);
    await this.submit();
    await expect(this.status()).toBeVisible();
    await expect(this.formError()).toHaveCount(0);
  }

  /** The error text linked to a field through aria-describedby (the field-level error contract). */
  async fieldError(field: 'Issuer URL' | 'Client ID' | 'Client secret' | 'Redirect URI'): Promise<string> {
    const input = this.page.getByLabel(field, { exact: true });
    const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
    const texts = await Promise.all(ids.map((id) => this.page.locator(`[id="${id}"]`).innerText().catch(() => '')));
    return texts.join(' ').trim();
  }

  /** The saved configuration as the form shows it (the secret field is expected to be empty). */
  async readConfig(): Promise<Required<SsoFormValues>> {
    return {
      issuerUrl: await this.issuerUrl().inputValue(),
      clientId: await this.clientId().inputValue(),
      clientSecret: await this.clientSecret().inputValue(),
      redirectUri: await this.redirectUri().inputValue(),
    };
  }

  /**
   * Clicks Test sign-in and returns the page the login runs in: the new tab when the console opens one,
   * else this page after it navigated away. Drive the IdP there with IdpLoginPage.
   */
  async testSignIn(): Promise<Page> {
    const context = this.page.context();
    const before = new Set(context.pages());
    const start = this.page.url();
    await this.testButton().click();
    let tab: Page | undefined;
    await expect
      .poll(() => {
        tab = context.pages().find((p) => !before.has(p)) ?? (this.page.url() !== start ? this.page : undefined);
        return Boolean(tab);
      })
      .toBe(true);
    if (!tab) throw new Error('unreachable');
    await tab.waitForLoadState('domcontentloaded');
    return tab;
  }

  /** Opens the delete dialog and confirms (or cancels) it. */
  async delete({ confirm }: { confirm: boolean } = { confirm: true }): Promise<void> {
    await this.deleteButton().click();
    const dialog = this.dialog();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: confirm ? 'Delete' : 'Cancel', exact: true }).click();
    if (!confirm) await expect(dialog).toBeHidden();
  }

  async signOut(): Promise<void> {
    await this.signOutButton().click();
    await this.page.waitForURL((url) => !url.pathname.startsWith('/settings'));
  }
}
