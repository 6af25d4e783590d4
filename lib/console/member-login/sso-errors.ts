/**
 * Why a member login failed, as a short code that may travel in a redirect URL
 * (`/sso/error?code=…&org=…`). The human sentence is looked up from the code at render time
 * (MEMBER_LOGIN_ERRORS in ../messages.ts, which also defines the codes), and any text from the IdP
 * or Grantex travels only in the sealed flash cookie — never in the URL, so nobody can craft a link
 * that makes our page say something we did not say.
 */
import { z } from 'zod';
import { MEMBER_LOGIN_ERRORS, ORG_ID_ERRORS, type MemberLoginErrorCode } from '../messages';

export const SSO_ERROR_CODES = Object.keys(MEMBER_LOGIN_ERRORS) as [MemberLoginErrorCode, ...MemberLoginErrorCode[]];
export const ssoErrorCodeSchema = z.enum(SSO_ERROR_CODES);
export type SsoErrorCode = MemberLoginErrorCode;

/** Organization ids as Grantex issues them; anything else is dropped from links. */
export const orgIdSchema = z
  .string()
  .trim()
  .min(1, ORG_ID_ERRORS.required)
  .max(100, ORG_ID_ERRORS.too_long)
  .regex(/^[A-Za-z0-9_-]+$/, ORG_ID_ERRORS.characters);

export function safeOrg(value: unknown): string | null {
  const parsed = orgIdSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A connection id from a form: the same shape rules as an org id (short, plain), else null. */
export const safeConnectionId = safeOrg;
