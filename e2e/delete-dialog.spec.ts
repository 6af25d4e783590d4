/**
 * The delete confirmation is a native modal <dialog> (no dialog library): these pin down the
 * accessibility it must keep — labelled and described, focus moved in and trapped, Escape and a
 * click outside cancel, focus back on the trigger, nothing else reachable meanwhile, axe clean.
 */
import { test, expect } from './fixtures';
import { expectNoAxeViolations } from './support/axe';

test.describe('delete confirmation dialog', () => {
  test('keyboard: labelled, focus trapped, Escape cancels, focus returns to the trigger', async ({
    adminPage: page,
    ssoSettings,
    idp,
  }) => {
    await ssoSettings.goto();
    await ssoSettings.save({ issuerUrl: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    const trigger = ssoSettings.deleteButton();
    await expect(trigger).toHaveAttribute('aria-haspopup', 'dialog');
    await expect(trigger).toHaveAttribute('aria-expanded', 'false');

    await trigger.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: /^Delete the connection “.+”\?$/ });
    await expect(dialog).toBeVisible();
    await expect(dialog).toHaveAccessibleDescription(/will no longer be able to sign in with SSO/);
    await expect(trigger).toHaveAttribute('aria-expanded', 'true');
    const cancel = dialog.getByRole('button', { name: 'Cancel', exact: true });
    const confirm = dialog.getByRole('button', { name: 'Delete', exact: true });
    await expect(cancel).toBeFocused();
    // Modal: the page behind is inert (cannot take focus) while the dialog is open.
    expect(await dialog.evaluate((el) => el.matches(':modal'))).toBe(true);
    expect(await ssoSettings.saveButton().evaluate((el) => (el.focus(), document.activeElement === el))).toBe(false);
    await expect(cancel).toBeFocused();
    await expectNoAxeViolations(page, '/settings/sso (delete dialog open)');

    // Tab and Shift+Tab cycle inside the dialog only.
    await page.keyboard.press('Tab');
    await expect(confirm).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(cancel).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(confirm).toBeFocused();

    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(trigger).toBeFocused();
    await expect(trigger).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByRole('heading', { name: 'Current configuration' })).toBeVisible();

    // Opened again with the mouse, a click outside cancels too, and focus again returns to the trigger.
    await trigger.click();
    await expect(dialog).toBeVisible();
    await page.mouse.click(5, 5);
    await expect(dialog).toBeHidden();
    await expect(trigger).toBeFocused();
    await expect(page.getByRole('heading', { name: 'Current configuration' })).toBeVisible();
  });
});
