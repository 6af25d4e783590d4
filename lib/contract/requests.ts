/**
 * Request shapes the service checks that have no richer schema elsewhere in the contract: path parameters,
 * query strings, and the legacy config body. A repeated query parameter arrives as an array and fails its
 * `z.string()`; nothing is coerced.
 */
import { z } from 'zod';
import { auditEventQuerySchema, signInEventQuerySchema } from './events';
import { EVENT_LIMITS } from './sign-in-reasons';
import { CODE_MAX, LIMITS, STATE_MAX } from './limits';
import { loginIntentSchema } from './console-roles';
import { emailDomainSchema } from './wire';

/** `/…/:id` (connections, sessions, setup links). Its length is checked by the route: too long reads as unknown (404). */
export const idParamsSchema = z.object({ id: z.string() });
/**
 * `/v1/sso/domains/:domain…`: the domain lower-cased; anything that is not a domain is `null`, which cannot be one
 * of the org's (the route answers the unknown domain's 404, not a 400).
 */
export const domainParamsSchema = z.object({ domain: emailDomainSchema.nullable().catch(null) });
/** `GET /sso/saml/:connectionId/metadata`. */
export const samlMetadataParamsSchema = z.object({ connectionId: z.string() });

/** POST /v1/sso/config as the service checks it: every field a non-empty string (the hosted service's rule). */
export const ssoConfigSaveSchema = z.object({
  issuerUrl: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  redirectUri: z.string().min(1),
});

/** GET /sso/login: each parameter at most once; which ones are needed depends on the others (org, domain, connection). */
export const ssoLoginRequestQuerySchema = z.object({
  org: z.string().optional(),
  domain: z.string().optional(),
  connection: z.string().optional(),
  redirect_uri: z.string().optional(),
  /** `console`: an admin's console sign-in (sealed into the state; the callback answers a console grant). */
  intent: loginIntentSchema.optional(),
});
export type SsoLoginRequestQuery = z.output<typeof ssoLoginRequestQuerySchema>;

/** GET /sso/connections?org= (the member's chooser). */
export const ssoPublicConnectionsQuerySchema = z.object({ org: z.string().min(1) });

/**
 * GET /sso/callback. `iss` is our extension (RFC 9207): the console forwards the authorization response's `iss`
 * parameter when the IdP sent one, so a mix-up is detected. `redirect_uri`, ours too: the redirect URI the
 * authorization response arrived at; when given it must be the one registered on the connection the state names
 * (the console always sends it; see docs/RP-SECURITY.md, IdP mix-up).
 */
export const ssoCallbackRequestQuerySchema = z.object({
  code: z.string().min(1).max(CODE_MAX),
  state: z.string().min(1).max(STATE_MAX),
  iss: z.string().max(LIMITS.urlMax).optional(),
  redirect_uri: z.string().max(LIMITS.urlMax).optional(),
});

/** POST /sso/callback/saml?connection=: names the connection of an IdP-initiated post; anything but one string is "none". */
export const ssoSamlCallbackQuerySchema = z.object({ connection: z.string().optional().catch(undefined) });

/**
 * The events' `limit` as it arrives in a query string: a string read as a number by the route itself (no
 * coercion of other types: a repeated `limit` is an array and is refused).
 */
const pageLimitParam = z.string().transform(Number).pipe(z.number().int().min(1).max(EVENT_LIMITS.pageMax)).optional();

/** GET /v1/sso/events as the service reads its query string (signInEventQuerySchema is the client's view). */
export const signInEventRequestQuerySchema = signInEventQuerySchema.extend({ limit: pageLimitParam });
/** GET /v1/sso/audit as the service reads its query string. */
export const auditEventRequestQuerySchema = auditEventQuerySchema.extend({ limit: pageLimitParam });
