import { expect, type Page } from '@playwright/test';

/** The Logout card of a connection's page (/settings/sso/<id>): the URLs to give the IdP, SAML's IdP SLO URL. */
export class ConnectionLogoutCard {
  constructor(
    readonly page: Page,
    readonly connectionName: string,
  ) {}

  readonly region = () => this.page.getByRole('region', { name: `Logout of ${this.connectionName}` });
  readonly idpSloUrl = () => this.region().getByLabel('IdP single logout URL');
  readonly saveButton = () => this.region().getByRole('button', { name: 'Save logout URL' });
  readonly status = () => this.region().getByRole('status');
  readonly alert = () => this.region().getByRole('alert');
  /** The value shown next to a copy button (e.g. "Copy single logout URL"). */
  readonly copiedValue = (copyLabel: string) =>
    this.region().getByRole('button', { name: copyLabel }).locator('xpath=preceding::code[1]');

  async expectVisible(): Promise<void> {
    await expect(this.region()).toBeVisible();
  }

  async saveIdpSloUrl(url: string): Promise<void> {
    await this.idpSloUrl().fill(url);
    await this.saveButton().click();
  }
}
