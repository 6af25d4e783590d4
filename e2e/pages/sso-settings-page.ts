import { expect, type Page } from '@playwright/test';

/** The OIDC connection form's fields, as a test fills and reads them. */
export interface OidcConnectionValues {
  /** The connection's name (the new form pre-fills one). */
  name?: string;
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** Read-only in the form: the connection's own redirect URI, chosen by the console. Not filled, only read. */
  redirectUri?: string;
}

export type ProviderName =
  'Okta' | 'Microsoft Entra ID' | 'Google Workspace' | 'Auth0' | 'Keycloak' | 'Other OIDC provider';

export type ConnectionStatusLabel = 'Active' | 'Testing' | 'Inactive';

/**
 * The admin's SSO settings: the connections list at /settings/sso, "new" at /settings/sso/new and each
 * connection's page at /settings/sso/<id> (the same form on both of the latter).
 */
export class SsoSettingsPage {
  constructor(readonly page: Page) {}

  /** The page's h1: "Single sign-on" on the list, "Add a connection" on new, the connection's name on its page. */
  readonly heading = () => this.page.getByRole('heading', { level: 1 });
  readonly listHeading = () => this.page.getByRole('heading', { level: 1, name: 'Single sign-on' });
  readonly connectionsTable = () => this.page.getByRole('table', { name: 'Your organization’s SSO connections' });
  /** A row of the list by the connection's name (its row header is the link to its page). */
  readonly row = (name: string) =>
    this.connectionsTable()
      .getByRole('row')
      .filter({ has: this.page.getByRole('link', { name, exact: true }) });
  readonly addConnectionLink = () => this.page.getByRole('link', { name: 'Add connection' }).first();
  readonly name = () => this.page.getByLabel('Name', { exact: true });
  /** A status radio: in the new form, or the connection page's status form. */
  readonly statusRadio = (label: ConnectionStatusLabel) => this.page.getByRole('radio', { name: label, exact: true });
  readonly updateStatusButton = () => this.page.getByRole('button', { name: 'Update status' });
  readonly issuerUrl = () => this.page.getByLabel('Issuer URL', { exact: true });
  readonly clientId = () => this.page.getByLabel('Client ID', { exact: true });
  readonly clientSecret = () => this.page.getByLabel('Client secret', { exact: true });
  readonly redirectUri = () => this.page.getByLabel('Redirect URI', { exact: true });
  /** Provisioning: just-in-time on/off (radios), the group claim, group → scopes lines, default scopes. */
  readonly jitRadio = (value: 'on' | 'off') =>
    this.page.getByRole('radio', {
      name: value === 'on' ? /^On: create members/ : /^Off: only members who signed in before/,
    });
  readonly groupAttribute = () => this.page.getByLabel('Group claim', { exact: true });
  readonly groupMappings = () => this.page.getByLabel('Group → scopes', { exact: true });
  readonly defaultScopes = () => this.page.getByLabel('Default scopes', { exact: true });
  readonly saveButton = () => this.page.getByRole('button', { name: /^(Save|Create) connection$/ });
  readonly testButton = () => this.page.getByRole('button', { name: 'Test sign-in' });
  readonly deleteButton = () => this.page.getByRole('button', { name: 'Delete connection' });
  readonly dialog = () => this.page.getByRole('dialog');
  /** The form's copy button for the connection's own redirect URI. */
  readonly copyOwnRedirectUriButton = () =>
    this.page.getByRole('button', { name: 'Copy this connection’s redirect URI' });
  /** On a connection still registered at the shared `/sso/callback`: the notice and its one-step move. */
  readonly sharedRedirectNotice = () =>
    this.page.getByRole('region', { name: 'This connection uses the shared redirect URI' });
  readonly moveToOwnRedirectUriButton = () =>
    this.page.getByRole('button', { name: 'Move to this connection’s own redirect URI' });
  readonly copyMemberLinkButton = () => this.page.getByRole('button', { name: 'Copy member sign-in link' });
  readonly signOutButton = () => this.page.getByRole('button', { name: 'Sign out', exact: true });
  /** The provider picker (a radio group) and the guide it shows for the chosen provider. */
  readonly providerRadio = (name: ProviderName) => this.page.getByRole('radio', { name, exact: true });
  readonly providerGuide = (name: ProviderName) =>
    this.page.getByRole('region', { name: `${name} setup`, exact: true });
  readonly copyRedirectUriButton = () => this.page.getByRole('button', { name: 'Copy redirect URI' });
  /** The one-click fix offered when the issuer differs from the declared one only by a slash or case. */
  readonly useIssuerButton = (issuer: string) => this.page.getByRole('button', { name: `Use ${issuer}`, exact: true });
  /** The connection form (the page also has the test sign-in, status and delete forms). */
  readonly form = () => this.page.locator('form').filter({ has: this.saveButton() });
  /**
   * The connection form's error (role=alert) and success message (role=status). Scoped to the form: Next's route
   * announcer also has role=alert, and a test sign-in result is another role=status.
   */
  readonly formError = () => this.form().getByRole('alert');
  readonly status = () => this.form().getByRole('status');

  async gotoList(): Promise<void> {
    await this.page.goto('/settings/sso');
    await expect(this.listHeading()).toBeVisible();
  }

  /** `provider` preselects a guide in the picker (`?provider=`), e.g. `entra`. */
  async gotoNew(provider?: string): Promise<void> {
    await this.page.goto(provider ? `/settings/sso/new?provider=${encodeURIComponent(provider)}` : '/settings/sso/new');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Add a connection' })).toBeVisible();
  }

  /** Opens a connection's page from the list, by its name. */
  async openConnection(name: string): Promise<void> {
    await this.gotoList();
    await this.row(name).getByRole('link', { name, exact: true }).click();
    await expect(this.page.getByRole('heading', { level: 1, name, exact: true })).toBeVisible();
  }

  /**
   * Where the single SSO form of old lives now: the default connection's page, reached through the list, or
   * the new-connection form when the organization has none. `provider` preselects a guide (`?provider=`).
   */
  async goto(provider?: string): Promise<void> {
    await this.gotoList();
    const defaultRow = this.connectionsTable().getByRole('row').filter({ hasText: 'Default' });
    if ((await this.connectionsTable().count()) === 0 || (await defaultRow.count()) === 0) {
      await this.gotoNew(provider);
      return;
    }
    const link = defaultRow.getByRole('link').first();
    if (provider) {
      const href = await link.getAttribute('href');
      if (!href) throw new Error('the default connection has no link');
      await this.page.goto(`${href}?provider=${encodeURIComponent(provider)}`);
    } else {
      const name = await link.innerText();
      await link.click();
      await expect(this.page.getByRole('heading', { level: 1, name, exact: true })).toBeVisible();
    }
    await expect(this.saveButton()).toBeVisible();
  }

  async fill(values: Partial<OidcConnectionValues>): Promise<void> {
    if (values.name !== undefined) await this.name().fill(values.name);
    if (values.issuerUrl !== undefined) await this.issuerUrl().fill(values.issuerUrl);
    if (values.clientId !== undefined) await this.clientId().fill(values.clientId);
    if (values.clientSecret !== undefined) await this.clientSecret().fill(values.clientSecret);
  }

  /** Clicks Save without judging the outcome (for validation tests). */
  async submit(): Promise<void> {
    await this.saveButton().click();
  }

  /** Fills, saves and waits for the success status. */
  async save(values: Partial<OidcConnectionValues>): Promise<void> {
    await this.fill(values);
    await this.submit();
    await expect(this.status()).toBeVisible();
    await expect(this.formError()).toHaveCount(0);
  }

  /** The error text linked to a field through aria-describedby (the field-level error contract). */
  async fieldError(
    field: 'Issuer URL' | 'Client ID' | 'Client secret' | 'Redirect URI' | 'Group → scopes' | 'Group claim',
  ): Promise<string> {
    const input = this.page.getByLabel(field, { exact: true });
    const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
    const texts = await Promise.all(
      ids.map((id) =>
        this.page
          .locator(`[id="${id}"]`)
          .innerText()
          .catch(() => ''),
      ),
    );
    return texts.join(' ').trim();
  }

  /** The OIDC connection as its form shows it (the secret field is expected to be empty). */
  async readOidcConnection(): Promise<Required<Omit<OidcConnectionValues, 'name'>>> {
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
