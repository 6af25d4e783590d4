/**
 * Why a member login failed, as a short code that may travel in a redirect URL
 * (`/sso/error?code=…&org=…`). The human sentence is looked up from the code at render time, and
 * any text from the IdP or Grantex travels only in the sealed flash cookie — never in the URL, so
 * nobody can craft a link that makes our page say something we did not say.
 */
import { z } from 'zod';

export const SSO_ERROR_CODES = [
  'idp_error',
  'not_bound',
  'bad_request',
  'expired',
  'sso_failed',
  'not_configured',
  'unavailable',
  'rate_limited',
  'cross_site',
  'start_failed',
] as const;
export const ssoErrorCodeSchema = z.enum(SSO_ERROR_CODES);
export type SsoErrorCode = z.infer<typeof ssoErrorCodeSchema>;

export const SSO_ERROR_TEXT: Record<SsoErrorCode, { title: string; body: string }> = {
  idp_error: {
    title: 'Your identity provider did not sign you in',
    body: 'The identity provider returned an error instead of signing you in. Start over and sign in again; if it keeps happening, ask your administrator whether your account may use this app.',
  },
  not_bound: {
    title: 'This sign-in could not be verified',
    body: 'The sign-in was not started in this browser, or it took more than 10 minutes. For your safety it was not completed. Start over from this browser.',
  },
  bad_request: {
    title: 'The sign-in response was incomplete',
    body: 'The identity provider sent the browser back without the expected parameters. Start over; if it happens again, tell your administrator.',
  },
  expired: {
    title: 'This sign-in has expired or was already used',
    body: 'Each sign-in link works once and for 10 minutes. Start over to get a fresh one.',
  },
  sso_failed: {
    title: 'Single sign-on failed',
    body: 'Grantex could not verify the sign-in with your identity provider. Start over; if it fails again, tell your administrator, with any details shown here.',
  },
  not_configured: {
    title: 'SSO is not configured for this organization',
    body: 'Ask your administrator to set up single sign-on, or check the organization ID.',
  },
  unavailable: {
    title: 'Sign-in is temporarily unavailable',
    body: 'Grantex could not be reached. Try again in a moment.',
  },
  rate_limited: {
    title: 'Too many sign-in attempts',
    body: 'Wait a minute, then try again.',
  },
  cross_site: {
    title: 'Sign-in must start on this site',
    body: 'The sign-in request did not come from this site, so it was refused. Start over from this page.',
  },
  start_failed: {
    title: 'The sign-in could not be started',
    body: 'Grantex did not return a usable sign-in link. Try again in a moment; if it persists, tell your administrator.',
  },
};

/** Organization ids as Grantex issues them; anything else is dropped from links. */
export const orgIdSchema = z
  .string()
  .trim()
  .min(1, 'Enter your organization ID')
  .max(100, 'That is not an organization ID')
  .regex(/^[A-Za-z0-9_-]+$/, 'Organization IDs contain only letters, digits, “_” and “-”');

export function safeOrg(value: unknown): string | null {
  const parsed = orgIdSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
