/**
 * Wire schemas of the sign-in log and the audit trail (ours; the hosted Grantex API may not serve them):
 * `GET /v1/sso/events` and `GET /v1/sso/audit`. Documented in docs/WIRE-CONTRACT.md.
 */
import { z } from 'zod';
import {
  AUDIT_ACTIONS,
  AUDIT_ACTOR_KINDS,
  AUDIT_TARGET_TYPES,
  EVENT_LIMITS,
  SIGN_IN_OUTCOMES,
  SIGN_IN_STAGES,
  SIGN_IN_STARTERS,
} from './sign-in-reasons';

const timestamp = z.iso.datetime({ precision: 3 });

/** The redacted trace of one attempt: claims (never the token), the discovered issuer, timings. */
export const signInTraceSchema = z.looseObject({
  issuer: z.string().optional(),
  /** ID-token claims without the token, its signature or the nonce; `claimsVerified` false when the token failed its checks. */
  claims: z.record(z.string(), z.unknown()).optional(),
  claimsVerified: z.boolean().optional(),
  /** How far the IdP's clock is ahead of ours (positive) or behind, in seconds, when a time claim failed. */
  clockSkewSec: z.number().optional(),
  timings: z.record(z.string(), z.number()).optional(),
  /**
   * The attempt's steps in order (OIDC: discovery, token, id_token, userinfo; SAML: validation): start and end
   * in ms since the attempt began, and whether the step succeeded. Names and times only.
   */
  steps: z.array(z.object({ name: z.string(), startMs: z.number(), endMs: z.number(), ok: z.boolean() })).optional(),
});
export type SignInTrace = z.infer<typeof signInTraceSchema>;

export const signInEventSchema = z.object({
  id: z.string(),
  developerId: z.string(),
  connectionId: z.string().nullable(),
  protocol: z.string(),
  startedBy: z.enum(SIGN_IN_STARTERS),
  outcome: z.enum(SIGN_IN_OUTCOMES),
  stage: z.enum(SIGN_IN_STAGES),
  /** A code from SIGN_IN_REASONS (a newer service may send one this client does not know). */
  reason: z.string().nullable(),
  idpError: z.string().nullable(),
  idpErrorDescription: z.string().nullable(),
  email: z.string().nullable(),
  sub: z.string().nullable(),
  name: z.string().nullable(),
  durationMs: z.number(),
  requestId: z.string(),
  trace: signInTraceSchema,
  createdAt: timestamp,
});
export type SignInEvent = z.infer<typeof signInEventSchema>;

/** One page of a list, newest first; `nextCursor` is opaque, null on the last page. */
const pageOf = <T extends z.ZodType>(item: T) => z.object({ events: z.array(item), nextCursor: z.string().nullable() });

export const signInEventListSchema = pageOf(signInEventSchema);
export type SignInEventList = z.infer<typeof signInEventListSchema>;

export const auditEventSchema = z.object({
  id: z.string(),
  developerId: z.string(),
  actor: z.object({ kind: z.enum(AUDIT_ACTOR_KINDS), id: z.string().nullable(), label: z.string().nullable() }),
  action: z.enum(AUDIT_ACTIONS),
  target: z.object({ type: z.enum(AUDIT_TARGET_TYPES), id: z.string().nullable() }),
  /** Names of the fields that changed, never their values. */
  changedFields: z.array(z.string()),
  createdAt: timestamp,
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const auditEventListSchema = pageOf(auditEventSchema);
export type AuditEventList = z.infer<typeof auditEventListSchema>;

const optionalId = z.string().min(1).max(EVENT_LIMITS.idFilterMax).optional();
const optionalTime = timestamp.optional();
const limit = z.coerce.number().int().min(1).max(EVENT_LIMITS.pageMax).optional();
const cursor = z.string().min(1).max(512).optional();

/** The query of GET /v1/sso/events (all optional). */
export const signInEventQuerySchema = z.object({
  connectionId: optionalId,
  outcome: z.enum(SIGN_IN_OUTCOMES).optional(),
  /** A reason code (SIGN_IN_REASONS); an unknown code matches nothing. */
  reason: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9_]+$/)
    .optional(),
  email: z.string().min(1).max(EVENT_LIMITS.emailFilterMax).optional(),
  from: optionalTime,
  to: optionalTime,
  cursor,
  limit,
});
export type SignInEventQuery = z.input<typeof signInEventQuerySchema>;

/** The query of GET /v1/sso/audit (all optional). */
export const auditEventQuerySchema = z.object({
  targetId: optionalId,
  action: z.enum(AUDIT_ACTIONS).optional(),
  from: optionalTime,
  to: optionalTime,
  cursor,
  limit,
});
export type AuditEventQuery = z.input<typeof auditEventQuerySchema>;
