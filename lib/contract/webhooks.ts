/**
 * Events out: the one event model every webhook delivery carries, and the webhook endpoints API
 * (`POST|GET /v1/webhooks`, `DELETE /v1/webhooks/:id` in Grantex's shapes, plus enable/disable, secret rotation
 * and the delivery log). Events are derived from the sign-in log and the audit trail where they are recorded, so
 * a payload holds only what those records hold: never a secret, token, assertion or claim set.
 */
import { z } from 'zod';
import type { AuditAction } from './sign-in-reasons';
import { SIGN_IN_STAGES, SIGN_IN_STARTERS, AUDIT_ACTOR_KINDS, AUDIT_TARGET_TYPES } from './sign-in-reasons';

/** The envelope's version; a change that removes or renames a field bumps it. */
export const WEBHOOK_EVENT_VERSION = 1;

/** The audit trail's actions and the event type each one is delivered as. */
export const AUDIT_EVENT_TYPES = {
  'config.saved': 'sso.config.saved',
  'config.deleted': 'sso.config.deleted',
  'connection.created': 'sso.connection.created',
  'connection.updated': 'sso.connection.updated',
  'connection.deleted': 'sso.connection.deleted',
  'connection.tested': 'sso.connection.tested',
  'domain.added': 'sso.domain.added',
  'domain.verified': 'sso.domain.verified',
  'domain.removed': 'sso.domain.removed',
  'domain.released': 'sso.domain.released',
  'setup_link.created': 'setup_link.created',
  'setup_link.used': 'setup_link.used',
  'setup_link.revoked': 'setup_link.revoked',
  'session.revoked': 'sso.session.revoked',
  'scim_token.created': 'directory.token.created',
  'scim_token.revoked': 'directory.token.revoked',
  'directory_user.created': 'directory.user.created',
  'directory_user.updated': 'directory.user.updated',
  'directory_user.deactivated': 'directory.user.deactivated',
  'directory_user.reactivated': 'directory.user.reactivated',
  'directory_user.deleted': 'directory.user.deleted',
  'directory_group.created': 'directory.group.created',
  'directory_group.updated': 'directory.group.updated',
  'directory_group.deleted': 'directory.group.deleted',
  'webhook.created': 'webhook.created',
  'webhook.updated': 'webhook.updated',
  'webhook.enabled': 'webhook.enabled',
  'webhook.disabled': 'webhook.disabled',
  'webhook.secret_rotated': 'webhook.secret_rotated',
  'webhook.deleted': 'webhook.deleted',
  'sso.enforcement_changed': 'sso.enforcement.changed',
  'sso.break_glass_created': 'sso.break_glass.created',
  'sso.break_glass_deleted': 'sso.break_glass.deleted',
  'sso.break_glass_used': 'sso.break_glass.used',
} as const satisfies Record<AuditAction, string>;

export const SIGN_IN_EVENT_TYPES = ['sso.login', 'sso.login.failed'] as const;

export const WEBHOOK_EVENT_TYPES = [...SIGN_IN_EVENT_TYPES, ...Object.values(AUDIT_EVENT_TYPES)] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const timestamp = z.iso.datetime({ precision: 3 });

/** `sso.login` / `sso.login.failed`: one sign-in attempt as the sign-in log has it, without its trace. */
export const signInEventDataSchema = z.object({
  signInEventId: z.string(),
  connectionId: z.string().nullable(),
  protocol: z.string(),
  startedBy: z.enum(SIGN_IN_STARTERS),
  stage: z.enum(SIGN_IN_STAGES),
  /** A reason code of the sign-in log (null on success). */
  reason: z.string().nullable(),
  /** The IdP's `error` code when it sent one (never its description). */
  idpError: z.string().nullable(),
  email: z.string().nullable(),
  sub: z.string().nullable(),
  name: z.string().nullable(),
  durationMs: z.number(),
  requestId: z.string(),
});

/** Every other type: one audit entry (who did what to which object; names of changed fields, never values). */
export const auditEventDataSchema = z.object({
  auditEventId: z.string(),
  actor: z.object({ kind: z.enum(AUDIT_ACTOR_KINDS), id: z.string().nullable(), label: z.string().nullable() }),
  target: z.object({ type: z.enum(AUDIT_TARGET_TYPES), id: z.string().nullable() }),
  changedFields: z.array(z.string()),
});

export const webhookEventSchema = z.object({
  /** `evt_…`; the same across every attempt and redelivery (also sent as `webhook-id`). */
  id: z.string(),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  version: z.literal(WEBHOOK_EVENT_VERSION),
  createdAt: timestamp,
  developerId: z.string(),
  data: z.union([signInEventDataSchema, auditEventDataSchema]),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export const WEBHOOK_LIMITS = {
  urlMax: 2048,
  eventsMax: WEBHOOK_EVENT_TYPES.length + 1,
  endpointsPerOrg: 20,
  /** Secret rotation: how long the previous secret keeps signing (default one day, at most a week). */
  overlapDefaultSeconds: 86_400,
  overlapMaxSeconds: 7 * 86_400,
  deliveriesPageDefault: 50,
  deliveriesPageMax: 200,
} as const;

/**
 * What an endpoint receives: `grantex` (the default) is one event per POST in the envelope above; `ocsf` and `ecs`
 * are for a SIEM's collector: several events per POST as newline-delimited JSON, each line the event mapped to
 * OCSF or to the Elastic Common Schema (docs/AUDIT-EXPORT.md, schemas in lib/contract/siem.ts).
 */
export const WEBHOOK_FORMATS = ['grantex', 'ocsf', 'ecs'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** `*` subscribes to every type, present and future. */
const eventFilter = z.union([z.literal('*'), z.enum(WEBHOOK_EVENT_TYPES)]);

export const webhookCreateSchema = z.object({
  url: z.string().min(1).max(WEBHOOK_LIMITS.urlMax),
  events: z.array(eventFilter).min(1).max(WEBHOOK_LIMITS.eventsMax),
  format: z.enum(WEBHOOK_FORMATS).optional(),
});
export type WebhookCreateRequest = z.infer<typeof webhookCreateSchema>;

export const webhookUpdateSchema = z
  .object({
    enabled: z.boolean().optional(),
    events: z.array(eventFilter).min(1).max(WEBHOOK_LIMITS.eventsMax).optional(),
    format: z.enum(WEBHOOK_FORMATS).optional(),
  })
  .refine((b) => b.enabled !== undefined || b.events !== undefined || b.format !== undefined, {
    message: 'name at least one field',
  });
export type WebhookUpdateRequest = z.infer<typeof webhookUpdateSchema>;

export const webhookRotateSchema = z
  .object({ overlapSeconds: z.number().int().min(0).max(WEBHOOK_LIMITS.overlapMaxSeconds).optional() })
  .optional();

export const webhookParamsSchema = z.object({ id: z.string().min(1).max(128) });
export const webhookDeliveryParamsSchema = z.object({
  id: z.string().min(1).max(128),
  deliveryId: z.string().min(1).max(128),
});
export const webhookDeliveriesQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(WEBHOOK_LIMITS.deliveriesPageMax))
    .optional(),
});

/** Why an endpoint stopped receiving deliveries on its own. */
export const WEBHOOK_DISABLED_REASONS = ['delivery_failures'] as const;

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  createdAt: timestamp,
  // Ours (defaults for an answer of the hosted API, which has only the fields above).
  enabled: z.boolean().default(true),
  /** Set when the service disabled the endpoint (null when enabled, or disabled by an admin). */
  disabledReason: z.enum(WEBHOOK_DISABLED_REASONS).nullable().default(null),
  /** Deliveries in a row whose whole retry schedule ended without a success. */
  consecutiveFailures: z.number().default(0),
  /** While a rotation's overlap lasts, the previous secret still signs until then. */
  previousSecretExpiresAt: timestamp.nullable().default(null),
  format: z.enum(WEBHOOK_FORMATS).default('grantex'),
});
export type Webhook = z.output<typeof webhookSchema>;

/** `POST /v1/webhooks` (and the rotation's answer): the secret, shown this once. */
export const webhookWithSecretSchema = webhookSchema.extend({ secret: z.string() });
export type WebhookWithSecret = z.output<typeof webhookWithSecretSchema>;

export const webhookListSchema = z.object({ webhooks: z.array(webhookSchema) });
export type WebhookList = z.infer<typeof webhookListSchema>;

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export const webhookDeliverySchema = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.number(),
  /** The last attempt's HTTP status (null: no answer, e.g. a timeout or a refused connection). */
  responseStatus: z.number().nullable(),
  durationMs: z.number().nullable(),
  /** Why the last attempt failed, in a few words (never the receiver's body). */
  lastError: z.string().nullable(),
  lastAttemptAt: timestamp.nullable(),
  nextAttemptAt: timestamp.nullable(),
  createdAt: timestamp,
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const webhookDeliveryListSchema = z.object({ deliveries: z.array(webhookDeliverySchema) });
export type WebhookDeliveryList = z.infer<typeof webhookDeliveryListSchema>;

/**
 * The same events read back: `GET /v1/events` (pages, oldest first) and `GET /v1/events/stream` (Server-Sent
 * Events). Both read the sign-in log and the audit trail, so they hold what those hold (their retention too).
 */
export const EVENT_STREAM_LIMITS = {
  pageDefault: 100,
  pageMax: 500,
  cursorMax: 512,
  /** Open streams at once per org and per process. */
  streamsPerOrg: 20,
  streamsTotal: 500,
} as const;

/** `types=a,b`: a comma-separated list of event types (unknown names are refused, so a typo is not silence). */
const typesParam = z
  .string()
  .max(4096)
  .transform((s) => s.split(',').filter((t) => t !== ''))
  .pipe(z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1))
  .optional();

const cursorParam = z.string().min(1).max(EVENT_STREAM_LIMITS.cursorMax).optional();

/** GET /v1/events as the client sends it. */
export const eventListQuerySchema = z.object({
  after: cursorParam,
  limit: z.number().int().min(1).max(EVENT_STREAM_LIMITS.pageMax).optional(),
  types: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).optional(),
});
export type EventListQuery = z.infer<typeof eventListQuerySchema>;

/** GET /v1/events as the service reads its query string. */
export const eventListRequestQuerySchema = z.object({
  after: cursorParam,
  limit: z
    .string()
    .regex(/^\d{1,3}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(EVENT_STREAM_LIMITS.pageMax))
    .optional(),
  types: typesParam,
});

/** GET /v1/events/stream's query string (`after` stands in for `Last-Event-ID` where a client cannot set headers). */
export const eventStreamRequestQuerySchema = z.object({ after: cursorParam, types: typesParam });

export const eventListSchema = z.object({
  events: z.array(webhookEventSchema),
  /**
   * Where the next call starts (`after=`): the position of the last event returned, or the `after` given when
   * none was; null only when there were no events and no `after`.
   */
  nextCursor: z.string().nullable(),
  /** Whether more events are readable now (false: the caller is caught up; poll again later). */
  hasMore: z.boolean(),
});
export type EventList = z.infer<typeof eventListSchema>;
