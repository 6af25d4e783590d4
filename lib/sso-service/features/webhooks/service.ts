/**
 * Webhook endpoints: create (the secret shown once, stored sealed), list, enable/disable, change events, rotate
 * the secret with an overlap, delete, and the delivery log with redelivery. Every lookup is by (org, id), so
 * another org's endpoint answers exactly what an unknown id answers (404).
 *
 * The URL goes through the outbound guard's rules when it is saved (http(s) only; https and a public address
 * outside development mode, checked on the literal and on what the host name resolves to) and again when each
 * delivery connects (lib/net `guardedFetch` checks the address it actually dials, so a name that later resolves
 * to a private address is refused then).
 */
import { hostResolvesToAllowed } from '@/lib/net';
import { WEBHOOK_LIMITS, type WebhookCreateRequest, type WebhookUpdateRequest } from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { randomId } from '../../crypto/random-id';
import { fieldsRejected, notFound, type FieldProblem } from '../../http/api-error';
import type { StoredWebhookDelivery, StoredWebhookEndpoint } from './store';
import { generateWebhookSecret } from './signing';

type Ctx = Pick<ServiceContext, 'store' | 'secretBox' | 'now' | 'config'>;

export const WEBHOOK_NOT_FOUND = 'Webhook not found';

/** The secret box's associated data for an endpoint's secrets: a sealed secret opens only for its endpoint. */
export const webhookSecretAad = (endpointId: string) => `webhook:${endpointId}`;

/** Why a URL is refused, or null. */
export async function webhookUrlProblem(url: string, devMode: boolean): Promise<FieldProblem | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { field: 'url', code: 'invalid_url', message: 'must be an absolute http(s) URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { field: 'url', code: 'invalid_url', message: 'must be an absolute http(s) URL' };
  }
  if (parsed.username || parsed.password) {
    return { field: 'url', code: 'invalid_url', message: 'must not carry a user name or password' };
  }
  if (parsed.hash) return { field: 'url', code: 'invalid_url', message: 'must not have a fragment' };
  if (!devMode && parsed.protocol !== 'https:') {
    return { field: 'url', code: 'https_required', message: 'must use https' };
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let allowed: boolean;
  try {
    allowed = await hostResolvesToAllowed(host, devMode);
  } catch {
    return { field: 'url', code: 'invalid_url', message: 'the host name does not resolve' };
  }
  if (!allowed) {
    return { field: 'url', code: 'blocked_address', message: 'must not point at a private or loopback address' };
  }
  return null;
}

const iso = (ms: number) => new Date(ms).toISOString();
const uniqueEvents = (events: readonly string[]) => (events.includes('*') ? ['*'] : [...new Set(events)]);

export async function createWebhook(
  ctx: Ctx,
  developerId: string,
  input: WebhookCreateRequest,
): Promise<{ endpoint: StoredWebhookEndpoint; secret: string }> {
  const problem = await webhookUrlProblem(input.url, ctx.config.devMode);
  if (problem) throw fieldsRejected([problem]);
  const existing = await ctx.store.listWebhookEndpoints(developerId);
  if (existing.length >= WEBHOOK_LIMITS.endpointsPerOrg) {
    throw fieldsRejected([
      {
        field: 'url',
        code: 'invalid_value',
        message: `at most ${WEBHOOK_LIMITS.endpointsPerOrg} endpoints per organization`,
      },
    ]);
  }
  const id = randomId('wh');
  const secret = generateWebhookSecret();
  const now = iso(ctx.now());
  const endpoint: StoredWebhookEndpoint = {
    id,
    developerId,
    url: new URL(input.url).href,
    events: uniqueEvents(input.events),
    enabled: true,
    disabledReason: null,
    consecutiveFailures: 0,
    secretSealed: ctx.secretBox.seal(secret, webhookSecretAad(id)),
    previousSecretSealed: null,
    previousSecretExpiresAt: null,
    format: input.format ?? 'grantex',
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.insertWebhookEndpoint(endpoint);
  return { endpoint, secret };
}

export async function getWebhook(ctx: Ctx, developerId: string, id: string): Promise<StoredWebhookEndpoint> {
  const endpoint = await ctx.store.findWebhookEndpoint(developerId, id);
  if (!endpoint) throw notFound(WEBHOOK_NOT_FOUND);
  return endpoint;
}

export async function updateWebhook(
  ctx: Ctx,
  developerId: string,
  id: string,
  input: WebhookUpdateRequest,
): Promise<StoredWebhookEndpoint> {
  const updated = await ctx.store.updateWebhookEndpoint(
    developerId,
    id,
    { enabled: input.enabled, events: input.events && uniqueEvents(input.events), format: input.format },
    iso(ctx.now()),
  );
  if (!updated) throw notFound(WEBHOOK_NOT_FOUND);
  return updated;
}

export async function rotateWebhookSecret(
  ctx: Ctx,
  developerId: string,
  id: string,
  overlapSeconds: number = WEBHOOK_LIMITS.overlapDefaultSeconds,
): Promise<{ endpoint: StoredWebhookEndpoint; secret: string }> {
  const secret = generateWebhookSecret();
  const updated = await ctx.store.rotateWebhookSecret(
    developerId,
    id,
    ctx.secretBox.seal(secret, webhookSecretAad(id)),
    iso(ctx.now() + overlapSeconds * 1000),
    iso(ctx.now()),
  );
  if (!updated) throw notFound(WEBHOOK_NOT_FOUND);
  return { endpoint: updated, secret };
}

export async function deleteWebhook(ctx: Ctx, developerId: string, id: string): Promise<void> {
  if (!(await ctx.store.deleteWebhookEndpoint(developerId, id))) throw notFound(WEBHOOK_NOT_FOUND);
}

export async function listDeliveries(
  ctx: Ctx,
  developerId: string,
  id: string,
  limit: number = WEBHOOK_LIMITS.deliveriesPageDefault,
): Promise<StoredWebhookDelivery[]> {
  const endpoint = await getWebhook(ctx, developerId, id);
  return ctx.store.listWebhookDeliveries(endpoint.id, limit);
}

export async function redeliver(ctx: Ctx, developerId: string, id: string, deliveryId: string): Promise<void> {
  const endpoint = await getWebhook(ctx, developerId, id);
  if (!(await ctx.store.redeliverWebhookDelivery(endpoint.id, deliveryId, ctx.now()))) {
    throw notFound('Webhook delivery not found');
  }
}
