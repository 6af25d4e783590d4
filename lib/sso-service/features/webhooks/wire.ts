/** Stored endpoints and deliveries → their JSON bodies (lib/contract/webhooks.ts). Never a secret. */
import type { Webhook, WebhookDelivery } from '@/lib/contract';
import type { StoredWebhookDelivery, StoredWebhookEndpoint } from './store';

export function toWireWebhook(e: StoredWebhookEndpoint, nowMs: number): Webhook {
  const overlap =
    e.previousSecretExpiresAt !== null && Date.parse(e.previousSecretExpiresAt) > nowMs
      ? e.previousSecretExpiresAt
      : null;
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    createdAt: e.createdAt,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    consecutiveFailures: e.consecutiveFailures,
    previousSecretExpiresAt: overlap,
    format: e.format,
  };
}

export function toWireDelivery(d: StoredWebhookDelivery): WebhookDelivery {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    responseStatus: d.responseStatus,
    durationMs: d.durationMs,
    lastError: d.lastError,
    lastAttemptAt: d.lastAttemptAt,
    nextAttemptAt:
      d.status === 'pending' && d.nextAttemptAtMs !== null ? new Date(d.nextAttemptAtMs).toISOString() : null,
    createdAt: d.createdAt,
  };
}
