import { z } from 'zod';

/**
 * What the encrypted session cookie holds for a setup-link user (the customer's IT admin). The setup token is
 * the credential: it stays inside the HttpOnly, encrypted cookie and is only ever sent to Grantex.
 */
export const setupTokenSchema = z.object({
  role: z.literal('setup_link'),
  developerId: z.string().min(1),
  organizationName: z.string(),
  linkId: z.string().min(1),
  /** ISO-8601: when the link expires (the session ends then too). */
  linkExpiresAt: z.string(),
  /** The IT admin's own name and work email, as they gave them. */
  name: z.string(),
  email: z.string(),
  setupToken: z.string().min(1),
});
export type SetupToken = z.infer<typeof setupTokenSchema>;
