/**
 * Console access (docs/ENFORCEMENT.md): console sign-in through SSO with roles, SSO enforcement, break-glass
 * credentials and the console session's own endpoints. Wire shapes of:
 * - `GET /sso/login?…&intent=console` (the login's `ssoRequired`) and the callbacks' `console` grant (./sessions);
 * - `GET /v1/console/me`, `DELETE /v1/console/session`, `POST /v1/console/break-glass` (public);
 * - `POST /v1/sso/enforce` (Grantex's shape), `GET /v1/sso/enforcement[?email=]`;
 * - `GET|POST /v1/sso/break-glass`, `DELETE /v1/sso/break-glass/:id`.
 */
import { z } from 'zod';
import {
  BREAK_GLASS_CREDENTIAL_PREFIX,
  CONSOLE_ACCESS_LIMITS,
  consoleGrantSchema,
  consoleRoleSchema,
  consoleViaSchema,
  type ConsoleRole,
} from './console-roles';
import { LIMITS } from './limits';

export * from './console-roles';

const timestamp = z.iso.datetime({ precision: 3 });

/** Fixed messages of console access (the console words its own text by code; these are the service's). */
export const CONSOLE_ACCESS_MESSAGES = {
  consoleRoleMissing:
    'Your identity provider account has no console role in this organization; ask an owner to map one of your groups to a console role',
  consoleSessionInvalid: 'Your console session has ended; sign in again',
  roleRequired: (needed: ConsoleRole, role: ConsoleRole) =>
    `This needs the ${needed} role${needed === 'owner' ? '' : ' or higher'}; you are signed in as ${role === 'admin' ? 'an' : 'a'} ${role}`,
  enforcementNeedsOwnerSso:
    'To require SSO, an owner must have signed in to the console through SSO within the last hour (so someone can still get in); sign in with SSO as an owner, then switch enforcement on',
  breakGlassInvalid: 'This break-glass credential is not valid',
  breakGlassLimit: `An organization has at most ${CONSOLE_ACCESS_LIMITS.breakGlassPerOrgMax} break-glass credentials; delete one first`,
  breakGlassNotFound: 'Break-glass credential not found',
  consoleSessionOnly: 'Only a console session can sign out',
  ownerFieldsOnly: 'Only an owner can change console roles or SSO enforcement of a connection',
  trustFieldsOwnerOnly:
    'This connection grants a console role above yours; only an owner can change its identity provider settings, group attribute or attribute mapping',
  consoleSessionNotAccepted: 'This needs the organization’s API key; a console session cannot call it',
} as const;

/** Error codes of console access (the body's `code`). */
export const CONSOLE_ACCESS_ERROR_CODES = {
  /** 403 at a console sign-in's callback: the member's groups map to no console role. */
  consoleRoleMissing: 'CONSOLE_ROLE_MISSING',
  /** 409 at `POST /v1/sso/enforce {enforce: true}` without a recent owner SSO console sign-in. */
  enforcementNeedsOwnerSso: 'ENFORCEMENT_NEEDS_OWNER_SSO',
} as const;

// ---------------------------------------------------------------- the console session

/** `GET /v1/console/me`: who the bearer is. The API key answers role owner, via api_key, and nulls. */
export const consoleMeSchema = z.object({
  developerId: z.string(),
  role: consoleRoleSchema,
  via: consoleViaSchema,
  email: z.string().nullable(),
  subject: z.string().nullable(),
  connectionId: z.string().nullable(),
  expiresAt: timestamp.nullable(),
});
export type ConsoleMe = z.infer<typeof consoleMeSchema>;

// ---------------------------------------------------------------- enforcement

/** `POST /v1/sso/enforce` (Grantex's `setEnforcement`). */
export const ssoEnforceRequestSchema = z.object({ enforce: z.boolean() });
export type SsoEnforceRequest = z.infer<typeof ssoEnforceRequestSchema>;

/** `POST /v1/sso/enforce` → 200 (Grantex's shape). */
export const ssoEnforceResponseSchema = z.object({ enforce: z.boolean(), developerId: z.string() });
export type SsoEnforceResponse = z.infer<typeof ssoEnforceResponseSchema>;

/** `GET /v1/sso/enforcement?email=`: with an email, the answer says whether that person must use SSO. */
export const ssoEnforcementQuerySchema = z.object({ email: z.string().max(LIMITS.emailMax).optional() });
export type SsoEnforcementQuery = z.infer<typeof ssoEnforcementQuerySchema>;

export const ssoEnforcementSchema = z.object({
  developerId: z.string(),
  /** The org requires SSO for the console (API-key sign-in refused; break-glass still works). */
  enforce: z.boolean(),
  enforcedAt: timestamp.nullable(),
  /** Who switched it on (the audit actor's label), null when off or unknown. */
  enforcedBy: z.string().nullable(),
  /** Each connection's own `enforce` flag. */
  connections: z.array(z.object({ id: z.string(), name: z.string(), enforce: z.boolean() })),
  /** The last break-glass sign-in (null: never). */
  breakGlass: z.object({ lastUsedAt: timestamp, lastUsedLabel: z.string() }).nullable(),
  /** With `?email=`: org enforce, or the connection the email's verified domain routes to has `enforce`. */
  ssoRequired: z.boolean().optional(),
  /** With `?email=`: the connection that email's verified domain routes to (null: none). */
  connectionId: z.string().nullable().optional(),
});
export type SsoEnforcement = z.infer<typeof ssoEnforcementSchema>;

// ---------------------------------------------------------------- break-glass

/** A break-glass credential's label: trimmed, 1–100 characters, no control, zero-width or text-direction characters. */
export const breakGlassLabelSchema = z
  .string()
  .trim()
  .min(1, 'label is required')
  .max(CONSOLE_ACCESS_LIMITS.breakGlassLabelMax)
  .refine(
    (v) => !/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/.test(v),
    'must not contain control, zero-width or text-direction characters',
  );

/** `POST /v1/sso/break-glass`. */
export const breakGlassCreateRequestSchema = z.object({ label: breakGlassLabelSchema });
export type BreakGlassCreateRequest = z.input<typeof breakGlassCreateRequestSchema>;

/** `POST /v1/sso/break-glass` → 201: the credential is in this answer only (stored hashed). */
export const breakGlassCreatedSchema = z.object({
  id: z.string(),
  label: z.string(),
  credential: z.string().startsWith(BREAK_GLASS_CREDENTIAL_PREFIX),
  createdAt: timestamp,
});
export type BreakGlassCreated = z.infer<typeof breakGlassCreatedSchema>;

export const breakGlassCredentialSchema = z.object({
  id: z.string(),
  label: z.string(),
  createdAt: timestamp,
  /** The audit actor label of whoever created it. */
  createdBy: z.string().nullable(),
  lastUsedAt: timestamp.nullable(),
});
export type BreakGlassCredential = z.infer<typeof breakGlassCredentialSchema>;

/** `GET /v1/sso/break-glass`. */
export const breakGlassListSchema = z.object({ credentials: z.array(breakGlassCredentialSchema) });
export type BreakGlassList = z.infer<typeof breakGlassListSchema>;

/** `POST /v1/console/break-glass` (public, rate-limited). */
export const breakGlassSignInRequestSchema = z.object({ credential: z.string().min(1).max(512) });
export type BreakGlassSignInRequest = z.infer<typeof breakGlassSignInRequestSchema>;

/** `POST /v1/console/break-glass` → 200: an owner console session of one hour. */
export const breakGlassSignInResponseSchema = z.object({
  developerId: z.string(),
  console: consoleGrantSchema.extend({ role: z.literal('owner') }),
  label: z.string(),
});
export type BreakGlassSignInResponse = z.infer<typeof breakGlassSignInResponseSchema>;
