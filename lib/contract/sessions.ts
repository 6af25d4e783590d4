/**
 * Wire schemas for SSO sessions: the member callback that opens one (`POST /sso/callback/oidc`), the sessions
 * list and revoke, the connection test and the authenticated test sign-in start. JIT provisioning and group →
 * scope mapping decide what a session carries (see lib/sso-service/README.md).
 */
import { z } from 'zod';
import { consoleGrantSchema } from './console-roles';
import { CODE_MAX, LIMITS, STATE_MAX } from './limits';
import {
  connectionProtocolSchema,
  isoTimestampSchema,
  samlCertificateSchema,
  ssoSamlTestCallbackResponseSchema,
} from './wire';

/** Fixed messages of these endpoints (both sides refer to them instead of retyping them). */
export const SESSION_MESSAGES = {
  sessionNotFound: 'SSO session not found',
  directoryUserInactive:
    'Your account is deactivated in your organization’s directory; ask your IT administrator to reactivate it',
  directoryUserUnknown:
    'Your account is not provisioned in your organization’s directory; ask your IT administrator to assign you the application',
  testStateAtSessionCallback:
    'This is a test sign-in: it finishes at GET /sso/callback and opens no session; start a member sign-in instead',
  connectionTesting:
    'This SSO connection is being tested and takes only test sign-ins; ask your administrator to make it active',
  memberNotProvisioned:
    'You have no account for this SSO connection yet and it does not create accounts at sign-in; ask your administrator for access',
  redirectUriMismatch: 'redirect_uri does not match the redirect URI configured for this connection',
  emailMissing:
    "Your identity provider sent no email address, and this SSO connection accepts only emails in its organization's verified domains; ask your administrator",
  emailNotVerified:
    'Your identity provider did not confirm that your email address is verified, and this SSO connection accepts only verified emails; ask your administrator',
  emailDomainNotVerified:
    "Your email address is not in one of this organization's verified domains, and this SSO connection accepts no other; ask your administrator",
} as const;

/** The most sessions one list answer holds (newest first). */
export const SESSIONS_LIST_MAX = 200;

/** POST /sso/callback/oidc, JSON or form-encoded. */
export const ssoOidcCallbackRequestSchema = z.object({
  code: z.string().min(1).max(CODE_MAX),
  state: z.string().min(1).max(STATE_MAX),
  redirect_uri: z.string().max(LIMITS.urlMax).optional(),
  iss: z.string().max(LIMITS.urlMax).optional(),
});
export type SsoOidcCallbackRequest = z.infer<typeof ssoOidcCallbackRequestSchema>;

/** POST /sso/callback/oidc → 200: the member and the session opened for them. */
export const ssoSessionCallbackResponseSchema = z.object({
  sessionId: z.string(),
  email: z.string().nullable(),
  /** Ours: whether the email can be trusted as the member's mailbox (docs/EMAIL-TRUST.md). Optional: the hosted API omits it. */
  emailVerified: z.boolean().optional(),
  name: z.string().nullable(),
  sub: z.string(),
  groups: z.array(z.string()),
  mappedScopes: z.array(z.string()),
  principalId: z.string(),
  developerId: z.string(),
  expiresAt: isoTimestampSchema,
  /**
   * Ours: only for a login started with `intent=console` — the console session (token shown once) with the role
   * the member's groups map to. Never present for a member login.
   */
  console: consoleGrantSchema.optional(),
});
export type SsoSessionCallbackResponse = z.infer<typeof ssoSessionCallbackResponseSchema>;

/** One active session (GET /v1/sso/sessions, GET /v1/sso/sessions/:id). */
export const ssoSessionSchema = z.object({
  id: z.string(),
  connectionId: z.string(),
  principalId: z.string(),
  email: z.string().nullable(),
  /** Ours (docs/EMAIL-TRUST.md). Optional: the hosted API omits it. */
  emailVerified: z.boolean().optional(),
  name: z.string().nullable(),
  idpSubject: z.string(),
  groups: z.array(z.string()),
  mappedScopes: z.array(z.string()),
  expiresAt: isoTimestampSchema,
  createdAt: isoTimestampSchema,
});
export type SsoSession = z.infer<typeof ssoSessionSchema>;

export const ssoSessionListSchema = z.object({ sessions: z.array(ssoSessionSchema) });
export type SsoSessionList = z.infer<typeof ssoSessionListSchema>;

/** POST /v1/sso/connections/:id/test: 200 on success, 422 on failure (what upstream's SDKs parse). */
export const ssoConnectionTestSchema = z
  .discriminatedUnion('success', [
    z.object({
      success: z.literal(true),
      protocol: z.literal('oidc'),
      issuer: z.string(),
      authorizationEndpoint: z.string(),
      tokenEndpoint: z.string(),
      jwksUri: z.string(),
    }),
    z.object({ success: z.literal(false), protocol: z.enum(['oidc', 'saml']), error: z.string() }),
  ])
  .or(
    // SAML: the IdP settings as saved and each certificate's state.
    z.object({
      success: z.literal(true),
      protocol: z.literal('saml'),
      idpEntityId: z.string(),
      idpSsoUrl: z.string(),
      certificates: z.array(samlCertificateSchema),
    }),
  );
export type SsoConnectionTest = z.infer<typeof ssoConnectionTestSchema>;

/** POST /v1/sso/connections/:id/test-sign-in: an admin starts a test sign-in (any status). */
export const ssoTestSignInRequestSchema = z.object({ redirect_uri: z.string().max(LIMITS.urlMax).optional() });
export type SsoTestSignInRequest = z.infer<typeof ssoTestSignInRequestSchema>;

export const ssoTestSignInResponseSchema = z.object({
  authorizeUrl: z.string(),
  protocol: connectionProtocolSchema,
  connectionId: z.string(),
});
export type SsoTestSignInResponse = z.infer<typeof ssoTestSignInResponseSchema>;

/** POST /sso/callback/saml → 200: a member's session, or (test sign-in state) the identity with `test: true`. */
export const ssoSamlSignInResultSchema = z.union([ssoSamlTestCallbackResponseSchema, ssoSessionCallbackResponseSchema]);
