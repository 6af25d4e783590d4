/**
 * The audit export's two SIEM formats (webhook endpoints with `format: ocsf | ecs`): the subsets of OCSF 1.3 and
 * of the Elastic Common Schema 8 this service emits, one JSON object per line (docs/AUDIT-EXPORT.md has the
 * mapping field by field). Strict objects: a line holds these fields and no other, which is what the tests
 * check every emitted line against, so a field added to a line without adding it here (and to the docs) fails.
 */
import { z } from 'zod';

export const OCSF_VERSION = '1.3.0';
export const ECS_VERSION = '8.11.0';

/** OCSF's ids for the two classes emitted: Authentication (sign-ins) and API Activity (the audit trail). */
export const OCSF = {
  authentication: {
    categoryUid: 3,
    categoryName: 'Identity & Access Management',
    classUid: 3002,
    className: 'Authentication',
  },
  apiActivity: { categoryUid: 6, categoryName: 'Application Activity', classUid: 6003, className: 'API Activity' },
} as const;

/** OCSF `auth_protocol_id`: 4 OpenID, 5 SAML, 99 Other. */
export const OCSF_AUTH_PROTOCOLS = { oidc: [4, 'OpenID'], saml: [5, 'SAML'] } as const;

/** API Activity's activities (1 Create, 2 Read, 3 Update, 4 Delete, 99 Other). */
export const OCSF_API_ACTIVITIES = { 1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete', 99: 'Other' } as const;

const ms = z.number().int().nonnegative();
const str = z.string().min(1);

const ocsfMetadata = z.strictObject({
  version: z.literal(OCSF_VERSION),
  /** The event id (`evt_…`): the same as the Grantex format's `id`; deduplicate on it. */
  uid: str,
  /** The request that recorded it. */
  correlation_uid: str.optional(),
  /** The organization (Grantex developer id). */
  tenant_uid: str,
  product: z.strictObject({ name: z.literal('Grantex SSO'), vendor_name: z.literal('Grantex') }),
});

const ocsfEndpoint = z.strictObject({ ip: z.union([z.ipv4(), z.ipv6()]) });

const ocsfUser = z.strictObject({ uid: str.optional(), email_addr: str.optional(), name: str.optional() });

/** A sign-in: Authentication (3002), activity Logon (1). */
export const ocsfAuthenticationSchema = z.strictObject({
  category_uid: z.literal(OCSF.authentication.categoryUid),
  category_name: z.literal(OCSF.authentication.categoryName),
  class_uid: z.literal(OCSF.authentication.classUid),
  class_name: z.literal(OCSF.authentication.className),
  activity_id: z.literal(1),
  activity_name: z.literal('Logon'),
  type_uid: z.literal(300201),
  type_name: z.literal('Authentication: Logon'),
  /** 1 Informational (a success), 2 Low (a failure). */
  severity_id: z.union([z.literal(1), z.literal(2)]),
  severity: z.enum(['Informational', 'Low']),
  status_id: z.union([z.literal(1), z.literal(2)]),
  status: z.enum(['Success', 'Failure']),
  /** The sign-in log's reason code (failures). */
  status_code: str.optional(),
  /** The stage the sign-in reached. */
  status_detail: str,
  time: ms,
  duration: z.number().nonnegative(),
  metadata: ocsfMetadata,
  user: ocsfUser,
  auth_protocol_id: z.union([z.literal(4), z.literal(5), z.literal(99)]),
  auth_protocol: str,
  src_endpoint: ocsfEndpoint.optional(),
  unmapped: z.strictObject({
    connection_id: str.optional(),
    started_by: str,
    idp_error: str.optional(),
  }),
});
export type OcsfAuthentication = z.infer<typeof ocsfAuthenticationSchema>;

/** An audit entry: API Activity (6003). */
export const ocsfApiActivitySchema = z.strictObject({
  category_uid: z.literal(OCSF.apiActivity.categoryUid),
  category_name: z.literal(OCSF.apiActivity.categoryName),
  class_uid: z.literal(OCSF.apiActivity.classUid),
  class_name: z.literal(OCSF.apiActivity.className),
  activity_id: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(99)]),
  activity_name: z.enum(['Create', 'Read', 'Update', 'Delete', 'Other']),
  type_uid: z.number().int().min(600300).max(600399),
  type_name: z.string().startsWith('API Activity: '),
  severity_id: z.literal(1),
  severity: z.literal('Informational'),
  status_id: z.literal(1),
  status: z.literal('Success'),
  time: ms,
  metadata: ocsfMetadata,
  actor: z.strictObject({
    user: z.strictObject({
      uid: str.optional(),
      name: str.optional(),
      /** The audit trail's actor kind (api_key, setup_link, sso_admin, system, scim_token). */
      type: str,
      /** 3 System for the service itself, else 99 Other. */
      type_id: z.union([z.literal(3), z.literal(99)]),
    }),
  }),
  /** The audit action (`connection.updated`, …). */
  api: z.strictObject({ operation: str, service: z.strictObject({ name: z.literal('Grantex SSO') }) }),
  resources: z.array(z.strictObject({ type: str, uid: str.optional() })).length(1),
  src_endpoint: ocsfEndpoint.optional(),
  unmapped: z.strictObject({ changed_fields: z.array(str) }),
});
export type OcsfApiActivity = z.infer<typeof ocsfApiActivitySchema>;

export const ocsfLineSchema = z.union([ocsfAuthenticationSchema, ocsfApiActivitySchema]);

const ecsBase = {
  '@timestamp': z.iso.datetime({ precision: 3 }),
  ecs: z.strictObject({ version: z.literal(ECS_VERSION) }),
  organization: z.strictObject({ id: str }),
  source: z.strictObject({ ip: z.union([z.ipv4(), z.ipv6()]) }).optional(),
};

const ecsOutcome = z.enum(['success', 'failure']);

/** A sign-in: event.category authentication, type start. */
export const ecsSignInSchema = z.strictObject({
  ...ecsBase,
  event: z.strictObject({
    /** The event id (`evt_…`); deduplicate on it. */
    id: str,
    kind: z.literal('event'),
    category: z.tuple([z.literal('authentication')]),
    type: z.tuple([z.literal('start')]),
    outcome: ecsOutcome,
    action: z.enum(['sso.login', 'sso.login.failed']),
    /** The sign-in log's reason code (failures). */
    reason: str.optional(),
    /** Nanoseconds, as ECS counts. */
    duration: z.number().int().nonnegative(),
    provider: z.literal('grantex-sso'),
    dataset: z.literal('grantex.signin'),
  }),
  user: z.strictObject({ id: str.optional(), email: str.optional(), full_name: str.optional() }),
  http: z.strictObject({ request: z.strictObject({ id: str }) }),
  grantex: z.strictObject({
    connection_id: str.optional(),
    protocol: str,
    stage: str,
    started_by: str,
    idp_error: str.optional(),
  }),
});
export type EcsSignIn = z.infer<typeof ecsSignInSchema>;

/** An audit entry: event.category configuration (iam for the directory), the actor as user.*. */
export const ecsAuditSchema = z.strictObject({
  ...ecsBase,
  event: z.strictObject({
    id: str,
    kind: z.literal('event'),
    category: z.tuple([z.enum(['configuration', 'iam'])]),
    type: z
      .array(z.enum(['creation', 'change', 'deletion', 'info', 'user', 'group']))
      .min(1)
      .max(2),
    outcome: z.literal('success'),
    action: str,
    provider: z.literal('grantex-sso'),
    dataset: z.literal('grantex.audit'),
  }),
  user: z.strictObject({ id: str.optional(), name: str.optional() }),
  grantex: z.strictObject({
    actor_kind: str,
    target_type: str,
    target_id: str.optional(),
    changed_fields: z.array(str),
  }),
});
export type EcsAudit = z.infer<typeof ecsAuditSchema>;

export const ecsLineSchema = z.union([ecsSignInSchema, ecsAuditSchema]);
