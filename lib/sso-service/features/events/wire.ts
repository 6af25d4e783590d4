import type { AuditEvent, SignInEvent } from '@/lib/contract';
import type { AuditEventRecord, SignInEventRecord } from '../../storage/events-types';

export function toWireSignIn(e: SignInEventRecord): SignInEvent {
  return { ...e };
}

export function toWireAudit(e: AuditEventRecord): AuditEvent {
  return {
    id: e.id,
    developerId: e.developerId,
    actor: { kind: e.actorKind, id: e.actorId, label: e.actorLabel },
    action: e.action,
    target: { type: e.targetType, id: e.targetId },
    changedFields: e.changedFields,
    createdAt: e.createdAt,
  };
}
