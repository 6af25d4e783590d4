/**
 * The webhook wire shapes: an answer of the hosted Grantex API (only its own fields) reads with our defaults, and
 * every audit action is delivered as exactly one event type.
 */
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_EVENT_TYPES, WEBHOOK_EVENT_TYPES, webhookWithSecretSchema } from '@/lib/contract';

describe('webhook contract', () => {
  it("reads the hosted API's create answer {id, url, events, createdAt, secret}", () => {
    const hosted = {
      id: 'wh_1',
      url: 'https://hooks.example.com/',
      events: ['sso.login'],
      createdAt: '2026-12-07T08:00:00.000Z',
      secret: 'whsec_abc',
    };
    expect(webhookWithSecretSchema.parse(hosted)).toEqual({
      ...hosted,
      enabled: true,
      disabledReason: null,
      consecutiveFailures: 0,
      previousSecretExpiresAt: null,
      format: 'grantex',
    });
  });

  it('maps every audit action to one distinct event type', () => {
    const types = AUDIT_ACTIONS.map((a) => AUDIT_EVENT_TYPES[a]);
    expect(new Set(types).size).toBe(AUDIT_ACTIONS.length);
    for (const t of types) expect(WEBHOOK_EVENT_TYPES).toContain(t);
    expect(AUDIT_EVENT_TYPES['session.revoked']).toBe('sso.session.revoked');
    expect(AUDIT_EVENT_TYPES['directory_user.deactivated']).toBe('directory.user.deactivated');
  });
});
