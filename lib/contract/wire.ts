/**
 * The Grantex SSO wire contract (described in docs/WIRE-CONTRACT.md), as zod schemas.
 *
 * This is the ONE module both the console (lib/grantex client) and the embedded service
 * (lib/sso-service) import. Keep it free of Node-only and React-only imports. Client components
 * import ./limits and ./url-rules directly instead (this module's classic zod is ~34 KB gzip).
 */
import { z } from 'zod';
import { consoleRoleMappingsSchema, consoleRoleSchema } from './console-roles';
import { ATTRIBUTE_MAPPING_LIMITS, LIMITS, MODES, SESSION_POLICY_LIMITS } from './limits';

// The contract's plain constants live in ./limits (no zod), so browser code that only needs a
// limit or a message does not pull zod in; re-exported here so every existing import still works.
export * from './limits';

export * from './error-details';

/** One structured error: a field's problem (`field` set) or a reason a caller must tell apart (see ./error-details). */
export const errorDetailSchema = z.object({
  field: z.string().optional(),
  code: z.string(),
  message: z.string(),
});

/** `errors` is optional: the legacy contract (and a hosted API) sends only `{message, code, requestId}`. */
export const errorBodySchema = z.object({
  message: z.string(),
  code: z.string(),
  requestId: z.string().optional(),
  // A malformed value is dropped rather than costing the body its message.
  errors: z.array(errorDetailSchema).optional().catch(undefined),
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

/** The connection protocols on the wire. */
export const CONNECTION_PROTOCOLS = ['oidc', 'saml'] as const;
export const connectionProtocolSchema = z.enum(CONNECTION_PROTOCOLS);
export type ConnectionProtocol = z.infer<typeof connectionProtocolSchema>;

/** SAML: `authorizeUrl` is the IdP's HTTP-Redirect binding URL (SAMLRequest + RelayState = a short handle for the sealed state). */
export const ssoLoginResponseSchema = z.object({
  authorizeUrl: z.string(),
  protocol: connectionProtocolSchema,
  connectionId: z.string(),
  /**
   * Ours: whether the org requires SSO for the console, or the connection the login routed to does (its
   * `enforce`); docs/ENFORCEMENT.md. Optional: the hosted API omits it.
   */
  ssoRequired: z.boolean().optional(),
});
export type SsoLoginResponse = z.infer<typeof ssoLoginResponseSchema>;

export const ssoCallbackResponseSchema = z.object({
  developerId: z.string(),
  email: z.string().nullable(),
  /** Ours: whether the email can be trusted as the member's mailbox (docs/EMAIL-TRUST.md). Optional: the hosted API omits it. */
  emailVerified: z.boolean().optional(),
  name: z.string().nullable(),
  sub: z.string(),
});
export type SsoCallbackResponse = z.infer<typeof ssoCallbackResponseSchema>;

// ---------------------------------------------------------------- SSO connections

export const CONNECTION_STATUSES = ['active', 'inactive', 'testing'] as const;
export const connectionStatusSchema = z.enum(CONNECTION_STATUSES);
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;

/** A lower-case email domain such as `acme.com` (input is trimmed and lower-cased first). */
export const emailDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain such as example.com');

const tokenSchema = z.string().trim().min(1).max(LIMITS.tokenMax);

/** Routing and provisioning fields; all optional on create and update. */
const connectionOptionsShape = {
  domains: z
    .array(emailDomainSchema)
    .max(LIMITS.domainsMax)
    .transform((list) => [...new Set(list)])
    .optional(),
  jitProvisioning: z.boolean().optional(),
  groupAttribute: tokenSchema.nullable().optional(),
  groupMappings: z
    .record(tokenSchema, z.array(tokenSchema).max(LIMITS.scopesMax))
    .refine(
      (m) => Object.keys(m).length <= LIMITS.groupMappingsMax,
      `must have at most ${LIMITS.groupMappingsMax} groups`,
    )
    .optional(),
  defaultScopes: z.array(tokenSchema).max(LIMITS.scopesMax).optional(),
  /** Ours: accept only members whose email is in one of the org's verified domains (docs/EMAIL-TRUST.md); default false. */
  verifiedDomainsOnly: z.boolean().optional(),
  /**
   * Ours: the longest a member's session through this connection lasts, in seconds (300 s to 30 days); null or
   * absent: the service's session TTL. The session ends at the earliest of this, the TTL and (SAML) the IdP's
   * SessionNotOnOrAfter.
   */
  maxSessionSeconds: z
    .number()
    .int()
    .min(SESSION_POLICY_LIMITS.maxSessionSecondsMin)
    .max(SESSION_POLICY_LIMITS.maxSessionSecondsMax)
    .nullable()
    .optional(),
  /**
   * Ours: only people directory sync (SCIM) provisioned, and who are active there, sign in through this connection;
   * default false (anyone the IdP vouches for, with JIT). docs/DIRECTORY-SYNC.md.
   */
  directoryUsersOnly: z.boolean().optional(),
  /**
   * Ours: IdP group → console role (owner, admin, viewer) for console sign-in through this connection; the highest
   * mapped role wins. Empty (the default): nobody gets a console role through it (docs/ENFORCEMENT.md).
   */
  consoleRoleMappings: consoleRoleMappingsSchema.optional(),
  /** Grantex's field: people whose email routes to this connection must use SSO for the console; default false. */
  enforce: z.boolean().optional(),
};

/**
 * Ours, OIDC only: sent as `max_age` on every authorization request (0 to 30 days); the ID token must then carry
 * an `auth_time` no older than this (plus the clock tolerance). null or absent: not sent, not checked.
 */
const maxAuthAgeSecondsSchema = z
  .number()
  .int()
  .min(SESSION_POLICY_LIMITS.maxAuthAgeSecondsMin)
  .max(SESSION_POLICY_LIMITS.maxAuthAgeSecondsMax)
  .nullable()
  .optional();

const oidcSettingsShape = {
  issuerUrl: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  redirectUri: z.string().min(1),
};

/**
 * POST /v1/sso/connections, the OIDC variant (SAML's is ssoSamlConnectionCreateSchema). The URL and credential rules of
 * the legacy config apply on top (url-rules.ts), then the issuer check. Without `redirectUri` (the official SDKs
 * never send one) the service assigns the connection its own console callback, `<console>/sso/callback/<id>`.
 */
export const ssoOidcConnectionCreateSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(LIMITS.nameMax),
  protocol: z.literal('oidc'),
  status: connectionStatusSchema.optional(),
  ...oidcSettingsShape,
  redirectUri: oidcSettingsShape.redirectUri.optional(),
  maxAuthAgeSeconds: maxAuthAgeSecondsSchema,
  ...connectionOptionsShape,
});
export type SsoOidcConnectionCreate = z.input<typeof ssoOidcConnectionCreateSchema>;

/** PATCH /v1/sso/connections/:id of an OIDC connection: any field but the protocol; an empty body is a 400. */
export const ssoOidcConnectionPatchSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(LIMITS.nameMax).optional(),
  status: connectionStatusSchema.optional(),
  issuerUrl: oidcSettingsShape.issuerUrl.optional(),
  clientId: oidcSettingsShape.clientId.optional(),
  clientSecret: oidcSettingsShape.clientSecret.optional(),
  redirectUri: oidcSettingsShape.redirectUri.optional(),
  maxAuthAgeSeconds: maxAuthAgeSecondsSchema,
  ...connectionOptionsShape,
});
export type SsoOidcConnectionPatch = z.input<typeof ssoOidcConnectionPatchSchema>;

/** An OIDC connection on the wire. The client secret is write-only: never part of it. */
export const ssoOidcConnectionSchema = z.object({
  id: z.string(),
  developerId: z.string(),
  name: z.string(),
  protocol: z.literal('oidc'),
  status: connectionStatusSchema,
  /** Ours: the org's default connection, the one the legacy config endpoints and `?org=` login use. */
  isDefault: z.boolean(),
  issuerUrl: z.string(),
  clientId: z.string(),
  redirectUri: z.string(),
  domains: z.array(z.string()),
  jitProvisioning: z.boolean(),
  groupAttribute: z.string().nullish(),
  groupMappings: z.record(z.string(), z.array(z.string())),
  defaultScopes: z.array(z.string()),
  /** Ours (docs/EMAIL-TRUST.md). Optional: the hosted API omits it (then it is off). */
  verifiedDomainsOnly: z.boolean().optional(),
  /** Ours: the connection's session bound in seconds (null: the service's TTL). Optional: the hosted API omits it. */
  maxSessionSeconds: z.number().nullable().optional(),
  /** Ours: the `max_age` sent to the IdP (null: none). Optional: the hosted API omits it. */
  maxAuthAgeSeconds: z.number().nullable().optional(),
  /** Ours (docs/DIRECTORY-SYNC.md). Optional: the hosted API omits it (then it is off). */
  directoryUsersOnly: z.boolean().optional(),
  /** Ours (docs/ENFORCEMENT.md). Optional: the hosted API omits it (then nobody has a console role through it). */
  consoleRoleMappings: z.record(z.string(), consoleRoleSchema).optional(),
  /** Grantex's field; optional: an older service omits it (then it is off). */
  enforce: z.boolean().optional(),
  createdAt: isoTimestampSchema,
  updatedAt: isoTimestampSchema,
  /** Ours: the latest member sign-in through this connection (null: none yet). Optional: the hosted API omits it. */
  lastSignInAt: isoTimestampSchema.nullable().optional(),
  /** Ours: the back-channel logout URI to register at the IdP (OpenID Connect Back-Channel Logout 1.0). */
  backchannelLogoutUri: z.string().optional(),
});
export type SsoOidcConnection = z.infer<typeof ssoOidcConnectionSchema>;

// ---------------------------------------------------------------- SAML connections

/** Largest PEM certificate / pasted IdP metadata accepted on the wire. */
export const SAML_LIMITS = { certificateMax: 16 * 1024, metadataXmlMax: 1024 * 1024, entityIdMax: 1024 } as const;

const samlUrl = z.string().trim().min(1).max(LIMITS.urlMax);
const samlEntityId = z.string().trim().min(1).max(SAML_LIMITS.entityIdMax);
const samlPem = z.string().trim().min(1).max(SAML_LIMITS.certificateMax);
/** An IdP certificate's SHA-256 fingerprint as shown (`AB:CD:…`); matched case-insensitively, colons optional. */
const fingerprintSchema = z.string().trim().min(1).max(200);

/** The IdP's settings, given as fields or by metadata (pasted XML or a URL the service fetches). */
const samlIdpShape = {
  idpEntityId: samlEntityId.optional(),
  idpSsoUrl: samlUrl.optional(),
  /** PEM (or bare base64) X.509; write-only: the wire shows `idpCertificates` (fingerprint, notAfter, status). */
  idpCertificate: samlPem.optional(),
  /** IdP metadata XML: fills idpEntityId, idpSsoUrl and the certificates (explicit fields win). */
  idpMetadataXml: z.string().min(1).max(SAML_LIMITS.metadataXmlMax).optional(),
  /** IdP metadata URL, fetched through the outbound guard at save time (explicit fields win). */
  idpMetadataUrl: samlUrl.optional(),
  /** Defaults to `<service>/sso/saml/<connectionId>/metadata`. */
  spEntityId: samlEntityId.optional(),
  /** Defaults to `<service>/sso/callback/saml?connection=<connectionId>`. */
  spAcsUrl: samlUrl.optional(),
  /** Accept unsolicited (IdP-initiated) responses: fresh ones only, each assertion once; default false. */
  allowIdpInitiated: z.boolean().optional(),
  /** The IdP's HTTP-Redirect SingleLogoutService (metadata fills it); null or "" removes it (no single logout). */
  idpSloUrl: z
    .union([samlUrl, z.literal('')])
    .nullable()
    .optional(),
  /**
   * Sign AuthnRequests (HTTP-Redirect, RSA-SHA256) with the connection's SP signing key; default false. Turning
   * it on makes the signing key when the connection has none (see `/sp-keys`).
   */
  signAuthnRequests: z.boolean().optional(),
};

/** One attribute name of a mapping: trimmed, no control, zero-width or text-direction characters. */
const attributeNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(ATTRIBUTE_MAPPING_LIMITS.nameMax)
  .refine(
    (v) => !/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/.test(v),
    'must not contain control, zero-width or text-direction characters',
  );

/**
 * One field of an attribute mapping as sent: an attribute name or a short list (first match wins). `null`, an
 * empty (or blank) string and an empty list clear the field: the built-in defaults apply again. Parsed to the
 * list without duplicates, or null.
 */
const attributeMappingFieldInput = z
  .preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? null : [v]) : Array.isArray(v) && v.length === 0 ? null : v),
    z
      .array(attributeNameSchema)
      .max(ATTRIBUTE_MAPPING_LIMITS.namesMax)
      .transform((list) => [...new Set(list)])
      .nullable(),
  )
  .optional();

/**
 * Ours: a SAML connection's attribute mapping (docs/WIRE-CONTRACT.md). Each field names the assertion attributes
 * the member's field is read from; a field left out keeps its stored value (on PATCH) or the defaults (on create).
 * `null` for the whole mapping clears every field. Unknown fields are refused.
 */
export const samlAttributeMappingInputSchema = z
  .strictObject({
    email: attributeMappingFieldInput,
    name: attributeMappingFieldInput,
    givenName: attributeMappingFieldInput,
    familyName: attributeMappingFieldInput,
    subject: attributeMappingFieldInput,
    groups: attributeMappingFieldInput,
  })
  .nullable();
export type SamlAttributeMappingInput = z.input<typeof samlAttributeMappingInputSchema>;

/** The attribute mapping on the wire: only the fields set, each as its list of names. */
export const samlAttributeMappingSchema = z.object({
  email: z.array(z.string()).optional(),
  name: z.array(z.string()).optional(),
  givenName: z.array(z.string()).optional(),
  familyName: z.array(z.string()).optional(),
  subject: z.array(z.string()).optional(),
  groups: z.array(z.string()).optional(),
});
export type SamlAttributeMapping = z.infer<typeof samlAttributeMappingSchema>;

/** POST /v1/sso/connections with `protocol: "saml"`: the three IdP fields, or IdP metadata (XML or URL). */
export const ssoSamlConnectionCreateSchema = ssoOidcConnectionCreateSchema
  .omit({
    protocol: true,
    issuerUrl: true,
    clientId: true,
    clientSecret: true,
    redirectUri: true,
    maxAuthAgeSeconds: true,
  })
  .extend({
    protocol: z.literal('saml'),
    ...samlIdpShape,
    attributeMapping: samlAttributeMappingInputSchema.optional(),
  });
export type SsoSamlConnectionCreate = z.input<typeof ssoSamlConnectionCreateSchema>;

/**
 * PATCH of a SAML connection. Certificates: `idpCertificate` replaces all of them with one;
 * `addIdpCertificate` adds a second one (rotation: both verify); `removeIdpCertificateFingerprint` removes one
 * (the last one cannot be removed). Metadata (XML or URL) replaces entity id, SSO URL and certificates.
 */
export const ssoSamlConnectionPatchSchema = ssoOidcConnectionPatchSchema
  .omit({ issuerUrl: true, clientId: true, clientSecret: true, redirectUri: true, maxAuthAgeSeconds: true })
  .extend({
    ...samlIdpShape,
    attributeMapping: samlAttributeMappingInputSchema.optional(),
    addIdpCertificate: samlPem.optional(),
    removeIdpCertificateFingerprint: fingerprintSchema.optional(),
  });
export type SsoSamlConnectionPatch = z.input<typeof ssoSamlConnectionPatchSchema>;

export const SAML_CERTIFICATE_STATUSES = ['ok', 'expiring', 'expired'] as const;

/** One IdP certificate as shown (the PEM itself is write-only). `expiring`: within 30 days of notAfter. */
export const samlCertificateSchema = z.object({
  fingerprintSha256: z.string(),
  notAfter: isoTimestampSchema,
  status: z.enum(SAML_CERTIFICATE_STATUSES),
  subject: z.string().optional(),
});
export type SamlCertificate = z.infer<typeof samlCertificateSchema>;

/**
 * What a scheduled or manual refresh of the IdP metadata (from `idpMetadataUrl`) found but did not apply; the
 * console words each by code:
 * - `entity_id_changed`: the metadata names another entity ID; nothing was applied (re-pointing the trust is the
 *   admin's call: save the connection from its metadata again);
 * - `sso_url_refused`: its SSO URL breaks the URL rules (e.g. not https); the rest was applied;
 * - `certificates_over_limit`: it lists more valid signing certificates than a connection keeps (two); the ones
 *   in use were kept;
 * - `no_valid_certificate`: it lists no signing certificate that is still valid; nothing was changed.
 */
export const METADATA_REFRESH_WARNINGS = [
  'entity_id_changed',
  'sso_url_refused',
  'certificates_over_limit',
  'no_valid_certificate',
] as const;
export type MetadataRefreshWarning = (typeof METADATA_REFRESH_WARNINGS)[number];
export const METADATA_REFRESH_RESULTS = ['updated', 'unchanged', 'failed'] as const;

/** A SAML connection's metadata refresh state (null on a connection without a metadata URL). */
export const samlMetadataRefreshSchema = z.object({
  lastAttemptAt: isoTimestampSchema.nullable(),
  /** The last attempt that read the metadata (changes applied or none needed). */
  lastRefreshedAt: isoTimestampSchema.nullable(),
  lastResult: z.enum(METADATA_REFRESH_RESULTS).nullable(),
  /** The last attempt's failure (fetch or read; the certificates were kept): a SAML reason code and its sentence. */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** Codes, see METADATA_REFRESH_WARNINGS (an unknown code is shown as a generic warning). */
  warnings: z.array(z.string()),
  nextRefreshAt: isoTimestampSchema.nullable(),
});
export type SamlMetadataRefresh = z.infer<typeof samlMetadataRefreshSchema>;

/** A SAML connection on the wire. */
export const ssoSamlConnectionSchema = ssoOidcConnectionSchema
  .omit({ protocol: true, issuerUrl: true, clientId: true, redirectUri: true, maxAuthAgeSeconds: true })
  .extend({
    protocol: z.literal('saml'),
    idpEntityId: z.string(),
    idpSsoUrl: z.string(),
    idpMetadataUrl: z.string().nullable().optional(),
    idpCertificates: z.array(samlCertificateSchema),
    spEntityId: z.string(),
    spAcsUrl: z.string(),
    /** Ours: the SP metadata to give the IdP (public, stable per connection). */
    spMetadataUrl: z.string().optional(),
    allowIdpInitiated: z.boolean(),
    /** Ours: the attribute names read per member field (absent field: the defaults). Optional: the hosted API omits it. */
    attributeMapping: samlAttributeMappingSchema.optional(),
    /** Ours, on `GET /v1/sso/connections/:id` and the refresh's answer: the metadata refresh's state. */
    idpMetadataRefresh: samlMetadataRefreshSchema.nullable().optional(),
    /** Ours: the IdP's single logout URL (null: none, logout ends the session here only). */
    idpSloUrl: z.string().nullable().optional(),
    /** Ours: this connection's SingleLogoutService, to give the IdP (also in the SP metadata). */
    spSloUrl: z.string().optional(),
    /** Ours: AuthnRequests are signed with the connection's current SP signing key. */
    signAuthnRequests: z.boolean().optional(),
  });
export type SsoSamlConnection = z.infer<typeof ssoSamlConnectionSchema>;

/** `POST /v1/sso/connections/:id/metadata/refresh`: what this refresh did, and the connection after it. */
export const ssoMetadataRefreshResponseSchema = z.object({
  result: z.enum(METADATA_REFRESH_RESULTS),
  /** Names of the connection fields it changed (`idpCertificates`, `idpSsoUrl`). */
  changedFields: z.array(z.string()),
  connection: ssoSamlConnectionSchema,
});
export type SsoMetadataRefreshResponse = z.infer<typeof ssoMetadataRefreshResponseSchema>;

// ---------------------------------------------------------------- a SAML connection's SP keys

/** `signing`: AuthnRequests (and logout requests); `encryption`: the IdP encrypts assertions to it. */
export const SP_KEY_USES = ['signing', 'encryption'] as const;
export type SpKeyUse = (typeof SP_KEY_USES)[number];
/**
 * `current` signs (signing) or is the encryption key the metadata lists first; `next` is published beside it
 * until promoted; `previous` (encryption only in the metadata) still decrypts after a promotion until retired.
 */
export const SP_KEY_STATES = ['next', 'current', 'previous'] as const;
export type SpKeyState = (typeof SP_KEY_STATES)[number];

/** One SP key as shown: its public certificate and where it stands. The private key never leaves the service. */
export const samlSpKeySchema = z.object({
  id: z.string(),
  use: z.enum(SP_KEY_USES),
  state: z.enum(SP_KEY_STATES),
  fingerprintSha256: z.string(),
  createdAt: isoTimestampSchema,
  notAfter: isoTimestampSchema,
  /** Published in the SP metadata when it is listed there (`published`). */
  certificatePem: z.string(),
  published: z.boolean(),
});
export type SamlSpKey = z.infer<typeof samlSpKeySchema>;

/** GET /v1/sso/connections/:id/sp-keys, and the answer of every SP-key change. */
export const samlSpKeyListSchema = z.object({ keys: z.array(samlSpKeySchema) });
export type SamlSpKeyList = z.infer<typeof samlSpKeyListSchema>;

/** POST /v1/sso/connections/:id/sp-keys/rotate and …/promote. */
export const samlSpKeyUseRequestSchema = z.object({ use: z.enum(SP_KEY_USES) });
export type SamlSpKeyUseRequest = z.infer<typeof samlSpKeyUseRequestSchema>;

// ---------------------------------------------------------------- connections of either protocol

/** POST /v1/sso/connections: by `protocol`. The URL and credential rules apply on top (server side). */
export const ssoConnectionCreateSchema = z.discriminatedUnion('protocol', [
  ssoOidcConnectionCreateSchema,
  ssoSamlConnectionCreateSchema,
]);
export type SsoConnectionCreate = z.input<typeof ssoConnectionCreateSchema>;

/** PATCH /v1/sso/connections/:id: the stored connection's protocol decides which fields apply. */
export const ssoConnectionPatchSchema = ssoOidcConnectionPatchSchema;
export type SsoConnectionPatch = SsoOidcConnectionPatch | SsoSamlConnectionPatch;

export const ssoConnectionSchema = z.discriminatedUnion('protocol', [ssoOidcConnectionSchema, ssoSamlConnectionSchema]);
export type SsoConnection = z.infer<typeof ssoConnectionSchema>;

export const ssoConnectionListSchema = z.object({ connections: z.array(ssoConnectionSchema) });
export type SsoConnectionList = z.infer<typeof ssoConnectionListSchema>;

/** POST /sso/callback/saml (form-encoded as an IdP posts it, or JSON). */
export const ssoSamlCallbackRequestSchema = z.object({
  SAMLResponse: z.string().min(1),
  RelayState: z.string().max(4096).optional(),
});
export type SsoSamlCallbackRequest = z.infer<typeof ssoSamlCallbackRequestSchema>;

/** POST /sso/callback/saml with a test sign-in's state: the identity only, no session. */
export const ssoSamlTestCallbackResponseSchema = z.object({
  developerId: z.string(),
  connectionId: z.string(),
  email: z.string().nullable(),
  emailVerified: z.boolean().optional(),
  name: z.string().nullable(),
  sub: z.string(),
  groups: z.array(z.string()),
  test: z.literal(true),
});
export type SsoSamlTestCallbackResponse = z.infer<typeof ssoSamlTestCallbackResponseSchema>;

/**
 * A client-side PATCH body of either protocol (the service applies the stored connection's own fields and
 * refuses the other protocol's), so no field is stripped before it is sent.
 */
export const ssoConnectionPatchInputSchema = ssoSamlConnectionPatchSchema.extend({
  issuerUrl: oidcSettingsShape.issuerUrl.optional(),
  clientId: oidcSettingsShape.clientId.optional(),
  clientSecret: oidcSettingsShape.clientSecret.optional(),
  redirectUri: oidcSettingsShape.redirectUri.optional(),
  maxAuthAgeSeconds: maxAuthAgeSecondsSchema,
});
