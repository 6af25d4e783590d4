/** Typed results of the webhook forms (browser-safe: the forms render them). */
import type { FormState } from '@/lib/auth/form-state';

export interface CreateWebhookValues {
  url: string;
  events: string;
  format: string;
}

/** The usual form result; on success also the signing secret, returned once and never stored by the console. */
export type CreateWebhookState = FormState<CreateWebhookValues> & { secret?: string; createdUrl?: string };

export const initialCreateWebhookState: CreateWebhookState = { ok: false, fieldErrors: {}, values: {} };

/** The checkbox value that subscribes to every event type, present and future. */
export const ALL_EVENTS = '*';
