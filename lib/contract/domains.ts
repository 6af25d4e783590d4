/**
 * Verified domains and member sign-in by email (ours; hosted Grantex has no verification API).
 *
 * An org proves it owns an email domain by publishing a DNS TXT record; only a verified domain routes a member
 * who gives just an email (`GET /sso/login?domain=` without `org`). A domain is verified by one org at most.
 */
import { z } from 'zod';
import { isoTimestampSchema, emailDomainSchema, ssoLoginResponseSchema } from './wire';

/** The TXT record lives at `_grantex-sso.<domain>` and holds `grantex-sso-verification=<token>`. */
export const DOMAIN_TXT_LABEL = '_grantex-sso';
export const DOMAIN_TXT_VALUE_PREFIX = 'grantex-sso-verification=';

export const txtRecordNameFor = (domain: string) => `${DOMAIN_TXT_LABEL}.${domain}`;
export const txtRecordValueFor = (token: string) => `${DOMAIN_TXT_VALUE_PREFIX}${token}`;

/** Why a verification failed: each has its own message with the next step. */
export const DOMAIN_VERIFY_FAILURES = ['no_record', 'wrong_value', 'dns_timeout', 'dns_error'] as const;
export const domainVerifyFailureReasonSchema = z.enum(DOMAIN_VERIFY_FAILURES);
export type DomainVerifyFailureReason = z.infer<typeof domainVerifyFailureReasonSchema>;

/** One domain of the org on the wire (GET/POST /v1/sso/domains, a successful verify). */
export const ssoDomainSchema = z.object({
  domain: z.string(),
  verified: z.boolean(),
  verifiedAt: isoTimestampSchema.nullable(),
  txtRecordName: z.string(),
  txtRecordValue: z.string(),
  createdAt: isoTimestampSchema,
  lastCheckedAt: isoTimestampSchema.nullable(),
  /**
   * A verified domain's daily re-check has not found the TXT record since then (null: found). Optional: a
   * service without re-checks leaves it out.
   */
  failingSince: isoTimestampSchema.nullable().optional(),
  /** When the domain is released (unverified) unless the record is restored first; null while it is found. */
  releasesAt: isoTimestampSchema.nullable().optional(),
});
export type SsoDomain = z.infer<typeof ssoDomainSchema>;

export const ssoDomainListSchema = z.object({ domains: z.array(ssoDomainSchema) });
export type SsoDomainList = z.infer<typeof ssoDomainListSchema>;

/** POST /v1/sso/domains: the domain is trimmed and lower-cased. */
export const ssoDomainCreateSchema = z.object({ domain: emailDomainSchema });
export type SsoDomainCreate = z.input<typeof ssoDomainCreateSchema>;

/** POST /v1/sso/domains/:domain/verify, 422: the record was not (yet) found as expected. */
export const ssoDomainVerifyFailureSchema = z.object({
  verified: z.literal(false),
  reason: domainVerifyFailureReasonSchema,
  message: z.string(),
  txtRecordName: z.string(),
  txtRecordValue: z.string(),
  requestId: z.string().optional(),
});
export type SsoDomainVerifyFailure = z.infer<typeof ssoDomainVerifyFailureSchema>;

/** The client's answer to a verify: the verified domain, or why not. */
export type SsoDomainVerifyResult = { verified: true; domain: SsoDomain } | SsoDomainVerifyFailure;

/** `GET /sso/login?domain=` without org: the login plus the org it routed to (the caller did not name one). */
export const ssoDomainLoginResponseSchema = ssoLoginResponseSchema.extend({ developerId: z.string() });
export type SsoDomainLoginResponse = z.infer<typeof ssoDomainLoginResponseSchema>;

/** Public GET /sso/connections?org=: the org's active connections, for the member's chooser. */
export const ssoPublicConnectionSchema = z.object({
  id: z.string(),
  name: z.string(),
  protocol: z.enum(['oidc', 'saml']),
});
/** The org whose login page it is: its id and the name its developer gave at signup. */
export const ssoPublicOrganizationSchema = z.object({ id: z.string(), name: z.string() });
export type SsoPublicOrganization = z.infer<typeof ssoPublicOrganizationSchema>;
/** `organization` is ours and optional: a hosted API may not send it. */
export const ssoPublicConnectionListSchema = z.object({
  connections: z.array(ssoPublicConnectionSchema),
  organization: ssoPublicOrganizationSchema.optional(),
});
export type SsoPublicConnection = z.infer<typeof ssoPublicConnectionSchema>;
export type SsoPublicConnectionList = z.infer<typeof ssoPublicConnectionListSchema>;

/** The domain of a work email (`Alice@Acme.COM` → `acme.com`), or null when it is not an email with a valid domain. */
export function emailDomainOf(email: string): string | null {
  const at = email.trim().lastIndexOf('@');
  if (at <= 0) return null;
  const parsed = emailDomainSchema.safeParse(email.trim().slice(at + 1));
  return parsed.success ? parsed.data : null;
}

/** A verified domain is re-checked at most once per this interval (the daily re-check). */
export const DOMAIN_RECHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** A verified domain whose TXT record stays missing this long is released (unverified) and claimable again. */
export const DOMAIN_RELEASE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

/** Messages the contract fixes for domains and routing (both sides refer to these). */
export const DOMAIN_MESSAGES = {
  domainNotFound: 'Domain not found',
  /** Never names the other org. */
  domainTaken:
    'This domain is already verified by another organization; a domain can be verified by one organization only. Remove it there first, or contact support if you own it',
  /** `GET /sso/login?domain=` without org: one answer for unknown, unverified, unlisted and other orgs' domains. */
  domainNotRoutable:
    'Single sign-on by email is not set up for this domain; ask your administrator for your organization sign-in link',
  connectionNeedsOrg: 'connection requires org',
  domainOrConnection: 'give either domain or connection, not both',
  domainInvalid: 'domain must be a domain such as example.com',
  /** `?org=&domain=` with no active connection of that org listing the domain. */
  noConnectionForDomain: (domain: string) => `No active SSO connection of this organization is set up for ${domain}`,
} as const;
