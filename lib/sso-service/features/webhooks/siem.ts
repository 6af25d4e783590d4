/**
 * The SIEM formats of an event (endpoints with `format: ocsf | ecs`): a sign-in as OCSF Authentication / an ECS
 * authentication event, an audit entry as OCSF API Activity / an ECS configuration (or iam) event. Built from the
 * same record, and only from fields the Grantex event already carries, plus the client address the record
 * keeps for this (OCSF `src_endpoint.ip`, ECS `source.ip`). The schemas (and so the exact fields of a line) are
 * in lib/contract/siem.ts; the mapping is documented in docs/AUDIT-EXPORT.md.
 */
import { isIP } from 'node:net';
import {
  AUDIT_EVENT_TYPES,
  ECS_VERSION,
  OCSF,
  OCSF_API_ACTIVITIES,
  OCSF_AUTH_PROTOCOLS,
  OCSF_VERSION,
  type AuditAction,
  type EcsAudit,
  type EcsSignIn,
  type OcsfApiActivity,
  type OcsfAuthentication,
} from '@/lib/contract';
import type { AuditEventRecord, SignInEventRecord } from '../../storage/events-types';

/** Drops null and empty values so an optional field is absent, never `null` (SIEM parsers treat them alike). */
function present<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined && v !== '')) as {
    [K in keyof T]: Exclude<T[K], null>;
  };
}

/** An address only when it is one (a proxy misconfiguration must not put a host name or a list in the line). */
const ipOf = (ip: string | null | undefined) => (ip && isIP(ip) ? { ip } : null);

const METADATA_PRODUCT = { name: 'Grantex SSO', vendor_name: 'Grantex' } as const;

export function ocsfSignIn(e: SignInEventRecord): OcsfAuthentication {
  const ok = e.outcome === 'success';
  const [protocolId, protocolName] =
    OCSF_AUTH_PROTOCOLS[e.protocol as keyof typeof OCSF_AUTH_PROTOCOLS] ?? ([99, e.protocol] as const);
  const src = ipOf(e.clientIp);
  return {
    category_uid: OCSF.authentication.categoryUid,
    category_name: OCSF.authentication.categoryName,
    class_uid: OCSF.authentication.classUid,
    class_name: OCSF.authentication.className,
    activity_id: 1,
    activity_name: 'Logon',
    type_uid: 300201,
    type_name: 'Authentication: Logon',
    severity_id: ok ? 1 : 2,
    severity: ok ? 'Informational' : 'Low',
    status_id: ok ? 1 : 2,
    status: ok ? 'Success' : 'Failure',
    ...present({ status_code: e.reason }),
    status_detail: e.stage,
    time: Date.parse(e.createdAt),
    duration: e.durationMs,
    metadata: {
      version: OCSF_VERSION,
      uid: e.id,
      correlation_uid: e.requestId,
      tenant_uid: e.developerId,
      product: METADATA_PRODUCT,
    },
    user: present({ uid: e.sub, email_addr: e.email, name: e.name }),
    auth_protocol_id: protocolId,
    auth_protocol: protocolName,
    ...(src ? { src_endpoint: src } : {}),
    unmapped: present({ connection_id: e.connectionId, started_by: e.startedBy, idp_error: e.idpError }),
  };
}

/** Each audit action's verb, by its last word. */
function verbOf(action: AuditAction): 'creation' | 'change' | 'deletion' | 'info' {
  const verb = action.slice(action.indexOf('.') + 1);
  if (verb === 'created' || verb === 'added') return 'creation';
  if (verb === 'deleted' || verb === 'removed' || verb === 'revoked' || verb === 'released') return 'deletion';
  if (verb === 'tested' || verb === 'used') return 'info';
  return 'change';
}

const OCSF_ACTIVITY_OF = { creation: 1, change: 3, deletion: 4, info: 99 } as const;

export function ocsfAudit(e: AuditEventRecord): OcsfApiActivity {
  const activityId = OCSF_ACTIVITY_OF[verbOf(e.action)];
  const activityName = OCSF_API_ACTIVITIES[activityId];
  const src = ipOf(e.actorIp);
  return {
    category_uid: OCSF.apiActivity.categoryUid,
    category_name: OCSF.apiActivity.categoryName,
    class_uid: OCSF.apiActivity.classUid,
    class_name: OCSF.apiActivity.className,
    activity_id: activityId,
    activity_name: activityName,
    type_uid: OCSF.apiActivity.classUid * 100 + activityId,
    type_name: `API Activity: ${activityName}`,
    severity_id: 1,
    severity: 'Informational',
    status_id: 1,
    status: 'Success',
    time: Date.parse(e.createdAt),
    metadata: { version: OCSF_VERSION, uid: `evt_${e.id}`, tenant_uid: e.developerId, product: METADATA_PRODUCT },
    actor: {
      user: {
        ...present({ uid: e.actorId, name: e.actorLabel }),
        type: e.actorKind,
        type_id: e.actorKind === 'system' ? 3 : 99,
      },
    },
    api: { operation: AUDIT_EVENT_TYPES[e.action], service: { name: 'Grantex SSO' } },
    resources: [{ type: e.targetType, ...present({ uid: e.targetId }) }],
    ...(src ? { src_endpoint: src } : {}),
    unmapped: { changed_fields: [...e.changedFields] },
  };
}

export function ecsSignIn(e: SignInEventRecord): EcsSignIn {
  const ok = e.outcome === 'success';
  const src = ipOf(e.clientIp);
  return {
    '@timestamp': e.createdAt,
    ecs: { version: ECS_VERSION },
    organization: { id: e.developerId },
    ...(src ? { source: src } : {}),
    event: {
      id: e.id,
      kind: 'event',
      category: ['authentication'],
      type: ['start'],
      outcome: ok ? 'success' : 'failure',
      action: ok ? 'sso.login' : 'sso.login.failed',
      ...present({ reason: e.reason }),
      duration: Math.round(e.durationMs * 1_000_000),
      provider: 'grantex-sso',
      dataset: 'grantex.signin',
    },
    user: present({ id: e.sub, email: e.email, full_name: e.name }),
    http: { request: { id: e.requestId } },
    grantex: {
      ...present({ connection_id: e.connectionId, idp_error: e.idpError }),
      protocol: e.protocol,
      stage: e.stage,
      started_by: e.startedBy,
    },
  };
}

export function ecsAudit(e: AuditEventRecord): EcsAudit {
  const verb = verbOf(e.action);
  const iam = e.targetType === 'directory_user' || e.targetType === 'directory_group';
  const src = ipOf(e.actorIp);
  return {
    '@timestamp': e.createdAt,
    ecs: { version: ECS_VERSION },
    organization: { id: e.developerId },
    ...(src ? { source: src } : {}),
    event: {
      id: `evt_${e.id}`,
      kind: 'event',
      category: [iam ? 'iam' : 'configuration'],
      // ECS's iam category pairs the verb with what it acted on (user, group).
      type: iam ? [e.targetType === 'directory_user' ? 'user' : 'group', verb] : [verb],
      outcome: 'success',
      action: AUDIT_EVENT_TYPES[e.action],
      provider: 'grantex-sso',
      dataset: 'grantex.audit',
    },
    user: present({ id: e.actorId, name: e.actorLabel }),
    grantex: {
      actor_kind: e.actorKind,
      target_type: e.targetType,
      ...present({ target_id: e.targetId }),
      changed_fields: [...e.changedFields],
    },
  };
}
