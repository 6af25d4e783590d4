import type { Browser, Page } from '@playwright/test';

/** Runs `run` in a new page with JavaScript off, signed in as `signedIn`'s context is (same cookies). */
export async function withoutJavaScript(
  browser: Browser,
  baseURL: string,
  signedIn: Page,
  run: (page: Page) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext({
    baseURL,
    javaScriptEnabled: false,
    storageState: await signedIn.context().storageState(),
  });
  try {
    await run(await context.newPage());
  } finally {
    await context.close();
  }
}
