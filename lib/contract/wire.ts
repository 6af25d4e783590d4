/**
 * The Grantex SSO wire contract (see ../shared/grantex-sso-contract.md), as zod schemas.
 *
 * This is the ONE module both the console (lib/grantex client) and the embedded service
 * (lib/sso-service) import. Keep it free of Node-only and React-only imports: it is also
 * loaded by client components for form validation.
 */
import { z } from 'zod';

/** Error codes the contract uses. Clients must still accept unknown codes from the hosted API. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'SSO_ERROR',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorBodySchema = z.object({
  message: z.string(),
  code: z.string(),
  requestId: z.string().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** ISO 8601 with milliseconds, e.g. 2026-11-27T04:23:44.312Z */
export const isoTimestampSchema = z.iso.datetime({ precision: 3 });

export const MODES = ['live', 'sandbox'] as const;
export const modeSchema = z.enum(MODES);
export type Mode = z.infer<typeof modeSchema>;

export const LIMITS = {
  nameMax: 100,
  emailMax: 254,
  urlMax: 2048,
  clientIdMax: 255,
  clientSecretMax: 1024,
  apiKeyMin: 16,
  apiKeyMax: 512,
} as const;

// ---------------------------------------------------------------- signup / me

export const signupRequestSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(LIMITS.nameMax),
  email: z.email().max(LIMITS.emailMax).optional(),
  mode: modeSchema.optional(),
});
export type SignupRequest = z.infer<typeof signupRequestSchema>;

export const signupResponseSchema = z.object({
  developerId: z.string(),
  apiKey: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  mode: modeSchema,
  createdAt: isoTimestampSchema,
});
export type SignupResponse = z.infer<typeof signupResponseSchema>;

export const meResponseSchema = z.looseObject({
  developerId: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  mode: modeSchema,
  plan: z.string(),
  createdAt: isoTimestampSchema,
});
export type MeResponse = z.infer<typeof meResponseSchema>;

// ---------------------------------------------------------------- SSO config

/**
 * Wire shape of POST /v1/sso/config: four required strings, unknown fields ignored.
 * The URL rules (see url-rules.ts) are applied on top by the server and by the console form.
 */
export const ssoConfigRequestSchema = z.object({
  issuerUrl: z.string(),
  clientId: z.string(),
  clientSecret: z.string(),
  redirectUri: z.string(),
});
export type SsoConfigRequest = z.infer<typeof ssoConfigRequestSchema>;

/** GET/POST /v1/sso/config response. The secret is never part of it. */
export const ssoConfigSchema = z.object({
  issuerUrl: z.string(),
  clientId: z.string(),
  redirectUri: z.string(),
  createdAt: isoTimestampSchema,
  updatedAt: isoTimestampSchema,
});
export type SsoConfig = z.infer<typeof ssoConfigSchema>;

// ---------------------------------------------------------------- login / callback

export const ssoLoginQuerySchema = z.object({
  org: z.string(),
  domain: z.string().optional(),
  redirect_uri: z.string().optional(),
});

export const ssoLoginResponseSchema = z.object({
  authorizeUrl: z.string(),
  protocol: z.literal('oidc'),
  connectionId: z.string(),
});
export type SsoLoginResponse = z.infer<typeof ssoLoginResponseSchema>;

/**
 * GET /sso/callback query. `iss` is our extension (RFC 9207): the console forwards the
 * authorization response's `iss` parameter when the IdP sent one, so a mix-up is detected.
 */
export const ssoCallbackQuerySchema = z.object({
  code: z.string(),
  state: z.string(),
  iss: z.string().optional(),
});

export const ssoCallbackResponseSchema = z.object({
  developerId: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  sub: z.string(),
});
export type SsoCallbackResponse = z.infer<typeof ssoCallbackResponseSchema>;

// ---------------------------------------------------------------- fixed messages

/** Exact messages the contract specifies; both sides refer to these instead of retyping them. */
export const MESSAGES = {
  missingAuth: 'Missing or invalid Authorization header',
  invalidKey: 'Invalid API key',
  configFieldsRequired: 'issuerUrl, clientId, clientSecret, and redirectUri are required',
  configNotFound: 'SSO config not found',
  orgRequired: 'org query parameter is required',
  ssoNotConfigured: 'SSO not configured for this org',
  codeAndStateRequired: 'code and state are required',
  invalidState: 'Invalid state parameter',
  stateExpiredOrUsed: 'SSO login request has expired or already been used; start the login again',
  tokenExchangeFailed: 'Token exchange failed',
  idTokenVerificationFailed: 'ID token verification failed',
  idTokenNonceMismatch: 'ID token nonce mismatch',
  internal: 'Internal server error',
  rateLimited: 'Too many requests; try again later',
} as const;

/** API key format: gx_live_ / gx_test_ + 43 base64url characters (32 random bytes). */
export const API_KEY_PATTERN = /^gx_(live|test)_[A-Za-z0-9_-]{43}$/;
