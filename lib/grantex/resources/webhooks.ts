import {
  webhookCreateSchema,
  webhookDeliveryListSchema,
  webhookListSchema,
  webhookSchema,
  webhookUpdateSchema,
  webhookWithSecretSchema,
  type Webhook,
  type WebhookCreateRequest,
  type WebhookDelivery,
  type WebhookUpdateRequest,
  type WebhookWithSecret,
} from '@/lib/contract';
import { parseInput, type GrantexTransport } from '../transport';

const webhookPath = (id: string) => `v1/webhooks/${encodeURIComponent(id)}`;

/**
 * Webhook endpoints, named as the official SDKs name them (`webhooks.create`, `list`, `delete`), plus ours:
 * enable/disable and events (`update`), `rotateSecret`, the delivery log and `redeliver`.
 */
export class Webhooks {
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
  }

  /** Never retried: a repeat after a lost answer would make a second endpoint (and the secret is shown once). */
  async create(input: WebhookCreateRequest): Promise<WebhookWithSecret> {
    const body = parseInput(webhookCreateSchema, input);
    const res = await this.#http.send({
      method: 'POST',
      path: 'v1/webhooks',
      body,
      authenticated: true,
      retryable: false,
    });
    return this.#http.parse(res, webhookWithSecretSchema);
  }

  async list(): Promise<Webhook[]> {
    const res = await this.#http.send({ method: 'GET', path: 'v1/webhooks', authenticated: true, retryable: true });
    return this.#http.parse(res, webhookListSchema).webhooks;
  }

  async update(id: string, input: WebhookUpdateRequest): Promise<Webhook> {
    const body = parseInput(webhookUpdateSchema, input);
    const res = await this.#http.send({
      method: 'PATCH',
      path: webhookPath(id),
      body,
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, webhookSchema);
  }

  /** Never retried: a repeat would rotate again and lose the secret the first answer carried. */
  async rotateSecret(id: string, overlapSeconds?: number): Promise<WebhookWithSecret> {
    const res = await this.#http.send({
      method: 'POST',
      path: `${webhookPath(id)}/rotate-secret`,
      body: overlapSeconds === undefined ? {} : { overlapSeconds },
      authenticated: true,
      retryable: false,
    });
    return this.#http.parse(res, webhookWithSecretSchema);
  }

  async delete(id: string): Promise<void> {
    await this.#http.send({ method: 'DELETE', path: webhookPath(id), authenticated: true, retryable: true });
  }

  async deliveries(id: string): Promise<WebhookDelivery[]> {
    const res = await this.#http.send({
      method: 'GET',
      path: `${webhookPath(id)}/deliveries`,
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, webhookDeliveryListSchema).deliveries;
  }

  async redeliver(id: string, deliveryId: string): Promise<void> {
    await this.#http.send({
      method: 'POST',
      path: `${webhookPath(id)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`,
      authenticated: true,
      retryable: true,
    });
  }
}
