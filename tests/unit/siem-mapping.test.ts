/**
 * The OCSF and ECS mappings of the audit export, record by record: every audit action maps to a line its strict
 * schema accepts (so a new action cannot ship unmapped), absent values are left out (never null), an address that
 * is not one is dropped, and a value with a newline in it stays on its line (the batch is newline-delimited).
 */
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ACTIONS,
  AUDIT_EVENT_TYPES,
  AUDIT_TARGET_TYPES,
  ecsAuditSchema,
  ecsSignInSchema,
  ocsfApiActivitySchema,
  ocsfAuthenticationSchema,
} from '@/lib/contract';
import { auditWebhookEvent, signInWebhookEvent } from '@/lib/sso-service/features/webhooks/events';
import { ecsAudit, ecsSignIn, ocsfAudit, ocsfSignIn } from '@/lib/sso-service/features/webhooks/siem';
import type { AuditEventRecord, SignInEventRecord } from '@/lib/sso-service/storage/events-types';

const createdAt = '2026-12-07T08:00:00.123Z';

function audit(action: AuditEventRecord['action'], extra: Partial<AuditEventRecord> = {}): AuditEventRecord {
  return {
    id: 'aud_1',
    developerId: 'dev_1',
    actorKind: 'api_key',
    actorId: 'key_abc',
    actorLabel: null,
    action,
    targetType: 'connection',
    targetId: 'conn_1',
    changedFields: ['clientSecret'],
    actorIp: '198.51.100.4',
    createdAt,
    ...extra,
  };
}

function signIn(extra: Partial<SignInEventRecord> = {}): SignInEventRecord {
  return {
    id: 'evt_1',
    developerId: 'dev_1',
    connectionId: null,
    protocol: 'saml',
    startedBy: 'idp_initiated',
    outcome: 'failure',
    stage: 'assertion',
    reason: 'saml_signature_invalid',
    idpError: null,
    idpErrorDescription: 'the IdP said something long',
    email: null,
    sub: null,
    name: null,
    durationMs: 12.5,
    requestId: 'req-1',
    trace: {} as SignInEventRecord['trace'],
    clientIp: '2001:db8::7',
    createdAt,
    ...extra,
  };
}

describe('OCSF and ECS mappings', () => {
  it('maps every audit action to a valid API Activity line and ECS event', () => {
    for (const action of AUDIT_ACTIONS) {
      for (const targetType of AUDIT_TARGET_TYPES) {
        const r = audit(action, { targetType });
        const o = ocsfApiActivitySchema.parse(ocsfAudit(r));
        expect(o.api.operation).toBe(AUDIT_EVENT_TYPES[action]);
        expect(o.type_uid).toBe(600300 + o.activity_id);
        expect(o.time).toBe(Date.parse(createdAt));
        const e = ecsAuditSchema.parse(ecsAudit(r));
        expect(e.event.id).toBe(`evt_${r.id}`);
      }
    }
    expect(ocsfAudit(audit('connection.created')).activity_name).toBe('Create');
    expect(ocsfAudit(audit('webhook.secret_rotated')).activity_name).toBe('Update');
    expect(ocsfAudit(audit('domain.released')).activity_name).toBe('Delete');
    expect(ecsAudit(audit('directory_user.deactivated', { targetType: 'directory_user' })).event).toMatchObject({
      category: ['iam'],
      type: ['user', 'change'],
    });
  });

  it('leaves absent values out, drops what is not an address, keeps the IdP description out', () => {
    const o = ocsfAuthenticationSchema.parse(ocsfSignIn(signIn()));
    expect(o).toMatchObject({ auth_protocol_id: 5, status_code: 'saml_signature_invalid', user: {} });
    expect(o.src_endpoint).toEqual({ ip: '2001:db8::7' });
    expect(JSON.stringify(o)).not.toContain('null');
    const e = ecsSignInSchema.parse(ecsSignIn(signIn()));
    expect(e.event.duration).toBe(12_500_000);
    expect(JSON.stringify([o, e])).not.toContain('the IdP said');
    for (const bad of ['unknown', '10.0.0.1, 10.0.0.2', '']) {
      expect(ocsfSignIn(signIn({ clientIp: bad })).src_endpoint).toBeUndefined();
      expect(ecsAudit(audit('domain.added', { actorIp: bad })).source).toBeUndefined();
    }
    const system = ocsfAudit(audit('webhook.disabled', { actorKind: 'system', actorId: null, actorIp: null }));
    expect(system.actor.user).toEqual({ type: 'system', type_id: 3 });
  });

  it('a value with a newline stays on one line of the batch', () => {
    const event = signInWebhookEvent(signIn({ outcome: 'success', name: 'Eve\n{"forged":true}', email: 'e@x.test' }));
    for (const format of ['ocsf', 'ecs'] as const) {
      const line = event.render!(format);
      expect(line.includes('\n')).toBe(false);
      expect(JSON.parse(line)).not.toHaveProperty('forged');
    }
    expect(event.render!('grantex')).toBe(event.body);
    // An event about a webhook endpoint names it, so that endpoint is left out of its delivery.
    expect(
      auditWebhookEvent(audit('webhook.deleted', { targetType: 'webhook', targetId: 'wh_1' })).aboutEndpointId,
    ).toBe('wh_1');
  });
});
