import { expect, type Page } from '@playwright/test';

/** SimpleSAMLphp's exampleauth login form (Debian's 1.19): the only code that knows it. */
export class SimpleSamlPhpLoginPage {
  constructor(readonly page: Page) {}

  readonly username = () => this.page.locator('#username');
  readonly password = () => this.page.locator('#password');
  readonly submit = () => this.page.locator('#submit_button');

  /** Signs in and returns once the browser has left SimpleSAMLphp (its POST binding page posts to the console). */
  async signIn(user: { username: string; password: string }, baseUrl: string): Promise<void> {
    await expect(this.page).toHaveURL((url) => url.href.startsWith(new URL(baseUrl).origin));
    await expect(this.username()).toBeVisible();
    await this.username().fill(user.username);
    await this.password().fill(user.password);
    await this.submit().click();
    await this.page.waitForURL((url) => url.origin !== new URL(baseUrl).origin);
  }
}
