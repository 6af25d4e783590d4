import type { Locator, Page } from '@playwright/test';

/**
 * README screenshots, taken only when E2E_SCREENSHOTS is set (`E2E_SCREENSHOTS=1 npx playwright test <spec>`):
 * `<name>-desktop` at 1280×800, `<name>-narrow` at 390×844, scrolled so `top` (if given) starts the picture.
 */
export async function screenshotFor(
  page: Page,
  name: `${string}-${'desktop' | 'narrow'}`,
  top?: Locator,
): Promise<void> {
  if (!process.env.E2E_SCREENSHOTS) return;
  await page.setViewportSize(name.endsWith('-narrow') ? { width: 390, height: 844 } : { width: 1280, height: 800 });
  if (top) await top.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: `docs/screenshots/${name}.png`, animations: 'disabled', caret: 'hide' });
}
