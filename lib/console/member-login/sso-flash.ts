/**
 * The detail behind an SSO error page (the IdP's `error_description`, Grantex's message and
 * request id), carried across the 303 in a sealed, short-lived cookie so it never appears in a
 * URL. The page renders it as escaped, length-capped text.
 */
import 'server-only';
import { z } from 'zod';
import { seal, unseal } from './sealing';
import { displayText } from '../utils/display-text';

export const FLASH_COOKIE = 'gx_sso_flash';
export const FLASH_COOKIE_PATH = '/sso';
export const FLASH_TTL_SECONDS = 120;

export const flashSchema = z.object({
  message: z.string().max(1000),
  code: z.string().max(100).nullable(),
  requestId: z.string().max(200).nullable(),
});
export type SsoFlash = z.infer<typeof flashSchema>;

export function sealFlash(flash: SsoFlash, secret: string): Promise<string> {
  return seal(
    {
      message: displayText(flash.message, 500),
      code: flash.code === null ? null : displayText(flash.code, 100),
      requestId: flash.requestId === null ? null : displayText(flash.requestId, 200),
    },
    { secret, purpose: 'sso-flash', ttlSeconds: FLASH_TTL_SECONDS },
  );
}

export function readFlash(value: string | undefined, secret: string): Promise<SsoFlash | null> {
  return unseal(value, { secret, purpose: 'sso-flash', schema: flashSchema });
}
