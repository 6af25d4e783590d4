/**
 * The Grantex SSO wire contract (see ../shared/grantex-sso-contract.md), as zod schemas.
 *
 * This is the ONE module both the console (lib/grantex client) and the embedded service
 * (lib/sso-service) import. Keep it free of Node-only and React-only imports. Client components
 * import ./limits and ./url-rules directly instead (this module's classic zod is ~34 KB gzip).
 */
import { z } from 'zod';
import { LIMITS, MODES } from './limits';

// The contract's plain constants live in ./limits (no zod), so browser code that only needs a
// limit or a message does not pull zod in; re-exported here so every existing import still works.
export * from './limits';

export const errorBodySchema = z.object({
  message: z.string(),
  code: z.string(),
  requestId: z.string().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** ISO 8601 with milliseconds, e.g. 2026-11-27T04:23:44.312Z */
export const isoTimestampSchema = z.iso.datetime({ precision: 3 });

export const modeSchema = z.enum(MODES);
export type Mode = z.infer<typeof modeSchema>;

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
