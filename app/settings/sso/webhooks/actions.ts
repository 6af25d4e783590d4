'use server';
/**
 * Webhook endpoint actions, for the API-key admin only (every call authorizes; a setup-link user is sent away):
 * add an endpoint (its signing secret is returned once and never logged), enable/disable, delete, redeliver one
 * delivery.
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import {
  ID_MAX,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_FORMATS,
  WEBHOOK_LIMITS,
  type WebhookCreateRequest,
} from '@/lib/contract';
import { adminAction } from '@/lib/auth';
import { authorizeAdmin } from '@/lib/auth/action';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { WEBHOOKS_TEXT } from '@/lib/console/messages';
import { WEBHOOKS_PATH } from '@/lib/console/settings/paths';
import { logSsoEvent } from '@/lib/console/utils/log';
import { isGrantexError } from '@/lib/grantex/errors';
import { grantexForAdmin, grantexLogFields } from '@/lib/grantex/server';
import { ALL_EVENTS, type CreateWebhookState } from './state';

const KNOWN_EVENTS = new Set<string>([ALL_EVENTS, ...WEBHOOK_EVENT_TYPES]);

const createInput = z.object({
  url: z
    .string()
    .trim()
    .min(1, WEBHOOKS_TEXT.url_required)
    .max(WEBHOOK_LIMITS.urlMax, WEBHOOKS_TEXT.url_too_long)
    .refine((v) => {
      try {
        return ['http:', 'https:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, WEBHOOKS_TEXT.url_invalid),
  events: z
    .array(z.string())
    .transform((list) => list.filter((e) => KNOWN_EVENTS.has(e)))
    .pipe(z.array(z.string()).min(1, WEBHOOKS_TEXT.events_required)),
  // The radio group always sends one of these; anything else (a hand-made request) is the default.
  format: z.enum(WEBHOOK_FORMATS).catch('grantex'),
});

const URL_ERRORS: Record<string, string> = {
  invalid_url: WEBHOOKS_TEXT.url_invalid,
  https_required: WEBHOOKS_TEXT.url_https_required,
  blocked_address: WEBHOOKS_TEXT.url_blocked_address,
};

export async function createWebhook(_prev: CreateWebhookState, formData: FormData): Promise<CreateWebhookState> {
  const rawUrl = formData.get('url');
  const events = formData.getAll('events').filter((v): v is string => typeof v === 'string');
  const rawFormat = formData.get('format');
  const values = {
    url: typeof rawUrl === 'string' ? rawUrl : '',
    events: events.join(','),
    format: typeof rawFormat === 'string' ? rawFormat : 'grantex',
  };
  const authorization = await authorizeAdmin('createWebhook');
  if ('refused' in authorization) return { ok: false, fieldErrors: {}, values, ...authorization.refused };
  const admin = authorization.actor;
  const parsed = createInput.safeParse({ url: values.url, events, format: values.format });
  if (!parsed.success) {
    const fieldErrors: CreateWebhookState['fieldErrors'] = {};
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      if (key === 'url' || key === 'events') fieldErrors[key] ??= issue.message;
    }
    return { ok: false, formError: WEBHOOKS_TEXT.fieldsNeedAttention, fieldErrors, values };
  }
  const requestId = randomUUID();
  try {
    // Only known types passed the schema above.
    const chosen = parsed.data.events.includes(ALL_EVENTS) ? [ALL_EVENTS] : parsed.data.events;
    const created = await grantexForAdmin(admin, { requestId }).webhooks.create({
      url: parsed.data.url,
      events: chosen as WebhookCreateRequest['events'],
      format: parsed.data.format,
    });
    logSsoEvent('webhook_created', {
      requestId,
      org: admin.developerId,
      webhook: created.id,
      format: parsed.data.format,
    });
    revalidatePath(WEBHOOKS_PATH);
    return {
      ok: true,
      message: WEBHOOKS_TEXT.created,
      fieldErrors: {},
      values: {},
      secret: created.secret,
      createdUrl: created.url,
    };
  } catch (err) {
    console.error('[webhooks] create failed', grantexLogFields(err));
    const urlProblem = isGrantexError(err) ? err.errors?.find((e) => 'field' in e && e.field === 'url') : undefined;
    if (urlProblem) {
      return {
        ok: false,
        formError: WEBHOOKS_TEXT.fieldsNeedAttention,
        fieldErrors: { url: URL_ERRORS[urlProblem.code] ?? WEBHOOKS_TEXT.url_refused },
        values,
      };
    }
    return { ok: false, formError: describeGrantexError(err), fieldErrors: {}, values };
  }
}

export const setWebhookEnabled = adminAction(
  'setWebhookEnabled',
  z.object({ id: z.string().min(1).max(ID_MAX), enabled: z.enum(['true', 'false']) }),
  async ({ id, enabled }, admin) => {
    const requestId = randomUUID();
    const on = enabled === 'true';
    await grantexForAdmin(admin, { requestId }).webhooks.update(id, { enabled: on });
    logSsoEvent('webhook_enabled', { requestId, org: admin.developerId, webhook: id, on });
    revalidatePath(WEBHOOKS_PATH);
    return { ok: true, message: on ? WEBHOOKS_TEXT.enabled : WEBHOOKS_TEXT.disabled };
  },
);

export const deleteWebhook = adminAction(
  'deleteWebhook',
  z.object({ id: z.string().min(1).max(ID_MAX) }),
  async ({ id }, admin) => {
    const requestId = randomUUID();
    await grantexForAdmin(admin, { requestId }).webhooks.delete(id);
    logSsoEvent('webhook_deleted', { requestId, org: admin.developerId, webhook: id });
    revalidatePath(WEBHOOKS_PATH);
    redirect(`${WEBHOOKS_PATH}?deleted=1`);
  },
);

export const redeliverWebhook = adminAction(
  'redeliverWebhook',
  z.object({ id: z.string().min(1).max(ID_MAX), deliveryId: z.string().min(1).max(ID_MAX) }),
  async ({ id, deliveryId }, admin) => {
    const requestId = randomUUID();
    await grantexForAdmin(admin, { requestId }).webhooks.redeliver(id, deliveryId);
    logSsoEvent('webhook_redelivered', { requestId, org: admin.developerId, webhook: id, delivery: deliveryId });
    revalidatePath(WEBHOOKS_PATH);
    return { ok: true, message: WEBHOOKS_TEXT.redelivered };
  },
);
