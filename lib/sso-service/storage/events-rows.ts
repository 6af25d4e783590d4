/**
 * Rows of the sign-in log and the audit trail (both backends name their columns alike), parsed with zod, and
 * the JSON batches the multi-row inserts read (one statement for a whole batch on both backends).
 */
import { z } from 'zod';
import { AUDIT_ACTIONS, AUDIT_ACTOR_KINDS, AUDIT_TARGET_TYPES, SIGN_IN_OUTCOMES, SIGN_IN_STAGES, SIGN_IN_STARTERS, signInTraceSchema } from '@/lib/contract';
import type { AuditEventRecord, PageAfter, SignInEventRecord } from './events-types';
import { json } from './rows';


export const SIGN_IN_EVENT_COLUMNS = [
  'id',
  'developer_id',
  'connection_id',
  'protocol',
  'started_by',
  'outcome',
  'stage',
  'reason',
  'idp_error',
  'idp_error_description',
  'email',
  'sub',
  'name',
  'duration_ms',
  'request_id',
  'trace',
  'created_at',
] as const;

export const AUDIT_EVENT_COLUMNS = [
  'id',
  'developer_id',
  'actor_kind',
  'actor_id',
  'actor_label',
  'action',
  'target_type',
  'target_id',
  'changed_fields',
  'created_at',
] as const;

const signInRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  connection_id: z.string().nullable(),
  protocol: z.string(),
  started_by: z.enum(SIGN_IN_STARTERS),
  outcome: z.enum(SIGN_IN_OUTCOMES),
  stage: z.enum(SIGN_IN_STAGES),
  reason: z.string().nullable(),
  idp_error: z.string().nullable(),
  idp_error_description: z.string().nullable(),
  email: z.string().nullable(),
  sub: z.string().nullable(),
  name: z.string().nullable(),
  duration_ms: z.number(),
  request_id: z.string(),
  trace: json(signInTraceSchema),
  created_at: z.string(),
});

const auditRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  actor_kind: z.enum(AUDIT_ACTOR_KINDS),
  actor_id: z.string().nullable(),
  actor_label: z.string().nullable(),
  action: z.enum(AUDIT_ACTIONS),
  target_type: z.enum(AUDIT_TARGET_TYPES),
  target_id: z.string().nullable(),
  changed_fields: json(z.array(z.string())),
  created_at: z.string(),
});

export function toSignInEvent(row: unknown): SignInEventRecord {
  const r = signInRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    connectionId: r.connection_id,
    protocol: r.protocol,
    startedBy: r.started_by,
    outcome: r.outcome,
    stage: r.stage,
    reason: r.reason,
    idpError: r.idp_error,
    idpErrorDescription: r.idp_error_description,
    email: r.email,
    sub: r.sub,
    name: r.name,
    durationMs: r.duration_ms,
    requestId: r.request_id,
    trace: r.trace,
    createdAt: r.created_at,
  };
}

export function toAuditEvent(row: unknown): AuditEventRecord {
  const r = auditRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    changedFields: r.changed_fields,
    createdAt: r.created_at,
  };
}

/** A batch of sign-in events as one JSON array of rows (column names as keys), for the one-statement insert. */
export function signInBatchJson(events: readonly SignInEventRecord[]): string {
  return JSON.stringify(
    events.map((e) => ({
      id: e.id,
      developer_id: e.developerId,
      connection_id: e.connectionId,
      protocol: e.protocol,
      started_by: e.startedBy,
      outcome: e.outcome,
      stage: e.stage,
      reason: e.reason,
      idp_error: e.idpError,
      idp_error_description: e.idpErrorDescription,
      email: e.email,
      sub: e.sub,
      name: e.name,
      duration_ms: e.durationMs,
      request_id: e.requestId,
      trace: e.trace,
      created_at: e.createdAt,
    })),
  );
}

export function auditBatchJson(events: readonly AuditEventRecord[]): string {
  return JSON.stringify(
    events.map((e) => ({
      id: e.id,
      developer_id: e.developerId,
      actor_kind: e.actorKind,
      actor_id: e.actorId,
      actor_label: e.actorLabel,
      action: e.action,
      target_type: e.targetType,
      target_id: e.targetId,
      changed_fields: e.changedFields,
      created_at: e.createdAt,
    })),
  );
}

/** The cursor bound's two values (null when there is no cursor). */
export function afterParams(after: PageAfter | undefined): [string | null, string | null] {
  return after ? [after.createdAt, after.id] : [null, null];
}
