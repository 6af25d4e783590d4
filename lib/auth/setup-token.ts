import { z } from 'zod';
import { SETUP_SESSION_TOKEN_PATTERN } from '@/lib/contract';

/**
 * What the encrypted session cookie holds for a setup-link user (the customer's IT admin). The credential is the
 * setup SESSION token Grantex returned when the link was redeemed (never the link's own token, which the API
 * refuses): it stays inside the HttpOnly, encrypted cookie and is only ever sent to Grantex.
 */
export const setupTokenSchema = z.object({
  role: z.literal('setup_link'),
  developerId: z.string().min(1),
  organizationName: z.string(),
  linkId: z.string().min(1),
  /** ISO-8601: when the link expires. */
  linkExpiresAt: z.string(),
  /** The IT admin's own name and work email, as they gave them. */
  name: z.string(),
  email: z.string(),
  /** `gxsetupsess_…`: a cookie from before setup sessions (holding the link token) does not parse: signed out. */
  sessionToken: z.string().regex(SETUP_SESSION_TOKEN_PATTERN),
});
export type SetupToken = z.infer<typeof setupTokenSchema>;
