/**
 * The one event model (lib/contract/webhooks.ts), derived where the sign-in log and the audit trail are recorded
 * (features/events/recorder.ts): each record becomes one event whose body is fixed here, once, so every attempt
 * and redelivery sends the same bytes. Only fields those records already hold, minus the sign-in trace (claims
 * and timings stay in the console's log) and the IdP's free-text error description.
 *
 * The event's id comes from the record's (a sign-in's `evt_…` id itself, an audit entry's as `evt_aud_…`), so the
 * webhooks and the event stream (features/event-stream), which builds the same events from the stored records,
 * carry the same id for one event.
 */
import { AUDIT_EVENT_TYPES, WEBHOOK_EVENT_VERSION, type WebhookEvent, type WebhookFormat } from '@/lib/contract';
import type { AuditEventRecord, SignInEventRecord } from '../../storage/events-types';
import { ecsAudit, ecsSignIn, ocsfAudit, ocsfSignIn } from './siem';
import type { WebhookOutboxEvent } from './store';

/**
 * The event as the outbox takes it: the Grantex body, and the SIEM formats' lines rendered only when an endpoint
 * of the batch's orgs asks for them (then once per event and format).
 */
function outboxEvent(event: WebhookEvent, siem: Record<Exclude<WebhookFormat, 'grantex'>, () => object>) {
  const body = JSON.stringify(event);
  const lines = new Map<WebhookFormat, string>([['grantex', body]]);
  const outbox: WebhookOutboxEvent = {
    id: event.id,
    developerId: event.developerId,
    type: event.type,
    body,
    createdAt: event.createdAt,
    render(format) {
      let line = lines.get(format);
      if (line === undefined) {
        line = JSON.stringify(format === 'grantex' ? event : siem[format]());
        lines.set(format, line);
      }
      return line;
    },
  };
  return outbox;
}

export function signInWebhookEvent(e: SignInEventRecord): WebhookOutboxEvent {
  return outboxEvent(signInEvent(e), { ocsf: () => ocsfSignIn(e), ecs: () => ecsSignIn(e) });
}

export function auditWebhookEvent(e: AuditEventRecord): WebhookOutboxEvent {
  const outbox = outboxEvent(auditEvent(e), { ocsf: () => ocsfAudit(e), ecs: () => ecsAudit(e) });
  if (e.targetType === 'webhook' && e.targetId !== null) outbox.aboutEndpointId = e.targetId;
  return outbox;
}

export function signInEvent(e: SignInEventRecord): WebhookEvent {
  return {
    id: e.id,
    type: e.outcome === 'success' ? 'sso.login' : 'sso.login.failed',
    version: WEBHOOK_EVENT_VERSION,
    createdAt: e.createdAt,
    developerId: e.developerId,
    data: {
      signInEventId: e.id,
      connectionId: e.connectionId,
      protocol: e.protocol,
      startedBy: e.startedBy,
      stage: e.stage,
      reason: e.reason,
      idpError: e.idpError,
      email: e.email,
      sub: e.sub,
      name: e.name,
      durationMs: e.durationMs,
      requestId: e.requestId,
    },
  };
}

export function auditEvent(e: AuditEventRecord): WebhookEvent {
  return {
    id: `evt_${e.id}`,
    type: AUDIT_EVENT_TYPES[e.action],
    version: WEBHOOK_EVENT_VERSION,
    createdAt: e.createdAt,
    developerId: e.developerId,
    data: {
      auditEventId: e.id,
      actor: { kind: e.actorKind, id: e.actorId, label: e.actorLabel },
      target: { type: e.targetType, id: e.targetId },
      changedFields: [...e.changedFields],
    },
  };
}
