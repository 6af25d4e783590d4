/**
 * Setup links (ours, not upstream): an org's admin hands the customer's IT admin a link that can configure and
 * test this org's SSO connections and domains, and nothing else. The token is shown once, stored only as a hash,
 * expires (at most 7 days) and can be revoked. See docs/WIRE-CONTRACT.md and docs/SETUP-LINKS.md.
 */
import { z } from 'zod';
import { LIMITS } from './limits';
import { isoTimestampSchema } from './wire';

/** Every setup-link token starts with this, so leak scanners (and the service) recognise one at a glance. */
export const SETUP_LINK_TOKEN_PREFIX = 'gxsetup_';
/** gxsetup_ + 43 base64url characters (32 random bytes). */
export const SETUP_LINK_TOKEN_PATTERN = /^gxsetup_[A-Za-z0-9_-]{43}$/;

/**
 * Redeeming a link gives a setup SESSION token: `gxsetupsess_` + 43 base64url characters (32 random bytes). It is
 * the only setup credential the API accepts; the link's own token only opens sessions.
 */
export const SETUP_SESSION_TOKEN_PREFIX = 'gxsetupsess_';
export const SETUP_SESSION_TOKEN_PATTERN = /^gxsetupsess_[A-Za-z0-9_-]{43}$/;
/** A setup session lasts this long at most (and never past its link); then the IT admin opens the link again. */
export const SETUP_SESSION_MAX_HOURS = 8;

export const SETUP_LINK_EXPIRY_HOURS = { min: 1, max: 168, default: 72 } as const;
export const SETUP_LINK_LABEL_MAX = 100;
/** Uses returned per link on the list (newest first); older ones are kept but not listed. */
export const SETUP_LINK_USES_LISTED = 20;

export const SETUP_LINK_MESSAGES = {
  /** One message for an unknown, expired or revoked link: it never says which. */
  invalid:
    'This setup link is not valid any more (it may have expired or been revoked); ask your administrator for a new link',
  notAllowed:
    "A setup link can only configure and test SSO connections, their domains and directory sync; this endpoint needs the organization's API key",
  notFound: 'Setup link not found',
  /** The link's token sent anywhere but the two redeem endpoints (answered without looking the token up). */
  linkTokenNotAccepted:
    "A setup link's token is not an API credential: redeem it (POST /v1/sso/setup-links/session) and send the session token it returns",
} as const;

export const SETUP_LINK_STATUSES = ['active', 'expired', 'revoked'] as const;
export const setupLinkStatusSchema = z.enum(SETUP_LINK_STATUSES);
export type SetupLinkStatus = z.infer<typeof setupLinkStatusSchema>;

/** POST /v1/sso/setup-links. */
export const setupLinkCreateSchema = z.object({
  expiresInHours: z
    .number()
    .int('expiresInHours must be a whole number of hours')
    .min(SETUP_LINK_EXPIRY_HOURS.min, 'expiresInHours must be at least 1')
    .max(SETUP_LINK_EXPIRY_HOURS.max, 'expiresInHours must be at most 168 (7 days)')
    .default(SETUP_LINK_EXPIRY_HOURS.default),
  label: z.string().trim().max(SETUP_LINK_LABEL_MAX).optional(),
});
export type SetupLinkCreate = z.input<typeof setupLinkCreateSchema>;

/** The 201 answer: the only time the token is ever sent. */
export const setupLinkCreatedSchema = z.object({
  id: z.string(),
  token: z.string().regex(SETUP_LINK_TOKEN_PATTERN),
  expiresAt: isoTimestampSchema,
  label: z.string().nullable(),
  createdAt: isoTimestampSchema,
});
export type SetupLinkCreated = z.infer<typeof setupLinkCreatedSchema>;

/** One redemption: who said they were using the link, and when. */
export const setupLinkUseSchema = z.object({
  usedAt: isoTimestampSchema,
  name: z.string(),
  email: z.string(),
  userAgent: z.string().nullable(),
});
export type SetupLinkUse = z.infer<typeof setupLinkUseSchema>;

/** A link on the list: never its token. */
export const setupLinkSchema = z.object({
  id: z.string(),
  label: z.string().nullable(),
  status: setupLinkStatusSchema,
  createdAt: isoTimestampSchema,
  expiresAt: isoTimestampSchema,
  revokedAt: isoTimestampSchema.nullable(),
  createdBy: z.string(),
  uses: z.array(setupLinkUseSchema),
});
export type SetupLink = z.infer<typeof setupLinkSchema>;

export const setupLinkListSchema = z.object({ setupLinks: z.array(setupLinkSchema) });
export type SetupLinkList = z.infer<typeof setupLinkListSchema>;

/** POST /v1/sso/setup-links/session (the token as Bearer): who is using the link. */
export const setupLinkRedeemSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(LIMITS.nameMax),
  email: z.email('email must be an email address').max(LIMITS.emailMax),
});
export type SetupLinkRedeem = z.input<typeof setupLinkRedeemSchema>;

/** GET /v1/sso/setup-links/preview (the link's token as Bearer): what the link is for. Never a token or a key. */
export const setupLinkSessionSchema = z.object({
  linkId: z.string(),
  developerId: z.string(),
  organizationName: z.string(),
  /** When the link expires. */
  expiresAt: isoTimestampSchema,
});
export type SetupLinkSession = z.infer<typeof setupLinkSessionSchema>;

/** GET /v1/sso/setup-links/session (the session token as Bearer): the session, if still usable. Never a token. */
export const setupSessionSchema = setupLinkSessionSchema.extend({
  sessionId: z.string(),
  /** When this session ends: at most SETUP_SESSION_MAX_HOURS after the redeem, and never after the link. */
  sessionExpiresAt: isoTimestampSchema,
});
export type SetupSession = z.infer<typeof setupSessionSchema>;

/** The redeem answer (POST /v1/sso/setup-links/session, the link's token as Bearer): the only time it is sent. */
export const setupSessionCreatedSchema = setupSessionSchema.extend({
  sessionToken: z.string().regex(SETUP_SESSION_TOKEN_PATTERN),
});
export type SetupSessionCreated = z.infer<typeof setupSessionCreatedSchema>;
