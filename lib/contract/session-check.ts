/**
 * `POST /sso/sessions/check` (public, no credential): whether a member's SSO session is still active, so the
 * console can end a member session that was revoked. The caller names the org and the session id (an unguessable
 * `ssn_…` only the member's sealed console cookie and the org's API-key holders know); the answer carries no
 * personal data, and an unknown, revoked or expired id, or another org's, all answer `{active: false}` alike.
 */
import { z } from 'zod';
import { ID_MAX } from './limits';
import { isoTimestampSchema } from './wire';

/** Ids longer than this are never issued; a longer one answers inactive without a lookup. */
export const SESSION_CHECK_ID_MAX = ID_MAX;

export const ssoSessionCheckRequestSchema = z.object({
  developerId: z.string().min(1).max(SESSION_CHECK_ID_MAX),
  sessionId: z.string().min(1).max(SESSION_CHECK_ID_MAX),
});
export type SsoSessionCheckRequest = z.infer<typeof ssoSessionCheckRequestSchema>;

export const ssoSessionCheckResponseSchema = z.discriminatedUnion('active', [
  z.object({ active: z.literal(true), expiresAt: isoTimestampSchema }).strict(),
  z.object({ active: z.literal(false), expiresAt: z.null() }).strict(),
]);
export type SsoSessionCheckResponse = z.infer<typeof ssoSessionCheckResponseSchema>;
