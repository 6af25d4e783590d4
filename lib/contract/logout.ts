/**
 * Logout (ours): the member's logout from the console (`POST /sso/sessions/logout`), the IdP's SAML single logout
 * (`GET|POST /sso/saml/:connectionId/slo`) and OIDC back-channel logout
 * (`POST /sso/oidc/:connectionId/backchannel-logout`). Documented in docs/WIRE-CONTRACT.md.
 */
import { z } from 'zod';
import { LIMITS } from './limits';
import { ssoSessionCheckRequestSchema } from './session-check';

/** The console's post-logout landing page (below GRANTEX_CONSOLE_URL); the IdPs send the member back there. */
export const POST_LOGOUT_PATH = '/member/signed-out';

/**
 * `POST /sso/sessions/logout`: ends the member's session (the same credential as the re-check: the org and the
 * unguessable session id) and, when the connection's IdP supports it, returns where to send the browser to end
 * the IdP session too. `postLogoutRedirectUri` must be on the console's origin (default: POST_LOGOUT_PATH there).
 */
export const ssoSessionLogoutRequestSchema = ssoSessionCheckRequestSchema.extend({
  postLogoutRedirectUri: z.string().min(1).max(LIMITS.urlMax).optional(),
});
export type SsoSessionLogoutRequest = z.infer<typeof ssoSessionLogoutRequestSchema>;

/**
 * `ended`: a session was active and is now revoked (false: unknown, already ended or another org's: nothing to
 * do). `redirectUrl`: the IdP's logout URL (SAML LogoutRequest by HTTP-Redirect, or the OIDC end_session_endpoint),
 * null when the IdP offers none (the session ended here only).
 */
export const ssoSessionLogoutResponseSchema = z
  .object({
    ended: z.boolean(),
    redirectUrl: z.string().nullable(),
    protocol: z.enum(['oidc', 'saml']).nullable(),
  })
  .strict();
export type SsoSessionLogoutResponse = z.infer<typeof ssoSessionLogoutResponseSchema>;

/** `POST /sso/oidc/:connectionId/backchannel-logout` (form-encoded, as the IdP posts it). */
export const backchannelLogoutRequestSchema = z.object({
  logout_token: z
    .string()
    .min(1)
    .max(16 * 1024),
});

/** What `slo=` says on the console's post-logout page after a SAML logout came back. */
export const SLO_RESULTS = ['ok', 'failed'] as const;
export type SloResult = (typeof SLO_RESULTS)[number];

/** Audit labels (actor label of `session.revoked`) naming why a session ended. */
export const LOGOUT_CAUSES = ['member_logout', 'idp_logout'] as const;
export type LogoutCause = (typeof LOGOUT_CAUSES)[number];
