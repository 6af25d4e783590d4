'use server';
/**
 * The admin's setup-link actions. Both authorize as the API-key admin on every call (a setup-link user is sent to
 * /setup/restricted); the created link's URL is returned once and never logged.
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { SETUP_LINK_LABEL_MAX } from '@/lib/contract';
import { adminAction } from '@/lib/auth';
import { authorizeAdmin } from '@/lib/auth/action';
import { env } from '@/lib/env';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { grantexForAdmin, grantexLogFields } from '@/lib/grantex/server';
import { SETUP_LINK_TEXT } from '@/lib/console/messages';
import { logSsoEvent } from '@/lib/console/utils/log';
import { EXPIRY_CHOICES, type CreateLinkState } from './state';

const PAGE_PATH = '/settings/sso/setup-links';
const OFFERED_HOURS = EXPIRY_CHOICES.map((c) => String(c.hours));

const createInput = z.object({
  expiresInHours: z
    .string()
    .refine((v) => OFFERED_HOURS.includes(v), SETUP_LINK_TEXT.expiry_invalid)
    .transform(Number),
  label: z.string().trim().max(SETUP_LINK_LABEL_MAX, SETUP_LINK_TEXT.label_too_long),
});

const text = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
};

export async function createSetupLink(_prev: CreateLinkState, formData: FormData): Promise<CreateLinkState> {
  const values = { expiresInHours: text(formData, 'expiresInHours'), label: text(formData, 'label') };
  const authorization = await authorizeAdmin('createSetupLink');
  if ('refused' in authorization) return { status: 'error', fieldErrors: {}, values, ...authorization.refused };
  const admin = authorization.actor;
  const parsed = createInput.safeParse(values);
  if (!parsed.success) {
    const fieldErrors: Extract<CreateLinkState, { status: 'error' }>['fieldErrors'] = {};
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      if (key === 'expiresInHours' || key === 'label') fieldErrors[key] ??= issue.message;
    }
    return { status: 'error', formError: 'Some fields need your attention.', fieldErrors, values };
  }
  const requestId = randomUUID();
  try {
    const created = await grantexForAdmin(admin, { requestId }).sso.setupLinks.create({
      expiresInHours: parsed.data.expiresInHours,
      ...(parsed.data.label ? { label: parsed.data.label } : {}),
    });
    logSsoEvent('setup_link_created', {
      requestId,
      org: admin.developerId,
      link: created.id,
      hours: parsed.data.expiresInHours,
    });
    revalidatePath(PAGE_PATH);
    return {
      status: 'created',
      url: `${env().APP_URL}/setup/${encodeURIComponent(created.token)}`,
      expiresAt: created.expiresAt,
      label: created.label,
    };
  } catch (err) {
    console.error('[setup-links] create failed', grantexLogFields(err));
    return { status: 'error', formError: describeGrantexError(err), fieldErrors: {}, values };
  }
}

export const revokeSetupLink = adminAction(
  'revokeSetupLink',
  z.object({ id: z.string().min(1).max(128) }),
  async ({ id }, admin) => {
    const requestId = randomUUID();
    await grantexForAdmin(admin, { requestId }).sso.setupLinks.revoke(id);
    logSsoEvent('setup_link_revoked', { requestId, org: admin.developerId, link: id });
    revalidatePath(PAGE_PATH);
    redirect(`${PAGE_PATH}?revoked=1`);
  },
);
