'use server';
/**
 * The owner's security actions: require SSO for the console (enforcement), and create or delete break-glass
 * credentials. Each authorizes on every call (the owner role, lib/auth/permissions.ts); a created credential is
 * returned once and never logged.
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { adminAction } from '@/lib/auth';
import { authorizeAdmin } from '@/lib/auth/action';
import { CONSOLE_ACCESS_ERROR_CODES, CONSOLE_ACCESS_LIMITS, ID_MAX } from '@/lib/contract';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { SECURITY_TEXT } from '@/lib/console/messages';
import { SECURITY_PATH } from '@/lib/console/settings/paths';
import { logSsoEvent } from '@/lib/console/utils/log';
import { isGrantexError } from '@/lib/grantex/errors';
import { grantexForAdmin, grantexLogFields } from '@/lib/grantex/server';
import type { CreateCredentialState } from './state';

export const setEnforcement = adminAction(
  'setEnforcement',
  z.object({ enforce: z.enum(['on', 'off']) }),
  async ({ enforce }, admin) => {
    const requestId = randomUUID();
    try {
      await grantexForAdmin(admin, { requestId }).sso.setEnforcement(enforce === 'on');
    } catch (err) {
      if (isGrantexError(err) && err.code === CONSOLE_ACCESS_ERROR_CODES.enforcementNeedsOwnerSso) {
        logSsoEvent('enforcement', { requestId, org: admin.developerId, outcome: 'needs_owner_sso' });
        return { formError: SECURITY_TEXT.enforce_needs_owner_sso };
      }
      throw err;
    }
    logSsoEvent('enforcement', { requestId, org: admin.developerId, outcome: enforce });
    revalidatePath(SECURITY_PATH);
    return { message: enforce === 'on' ? SECURITY_TEXT.enforcement_on : SECURITY_TEXT.enforcement_off };
  },
);

const labelInput = z.object({
  label: z
    .string()
    .trim()
    .min(1, SECURITY_TEXT.label_required)
    .max(CONSOLE_ACCESS_LIMITS.breakGlassLabelMax, SECURITY_TEXT.label_too_long),
});

export async function createBreakGlassCredential(
  _prev: CreateCredentialState,
  formData: FormData,
): Promise<CreateCredentialState> {
  const raw = formData.get('label');
  const values = { label: typeof raw === 'string' ? raw : '' };
  const authorization = await authorizeAdmin('createBreakGlassCredential');
  if ('refused' in authorization) return { status: 'error', fieldErrors: {}, values, ...authorization.refused };
  const admin = authorization.actor;
  const parsed = labelInput.safeParse(values);
  if (!parsed.success) {
    return {
      status: 'error',
      formError: 'Some fields need your attention.',
      fieldErrors: { label: parsed.error.issues[0]?.message },
      values,
    };
  }
  const requestId = randomUUID();
  try {
    const created = await grantexForAdmin(admin, { requestId }).sso.breakGlass.create({ label: parsed.data.label });
    logSsoEvent('break_glass_created', { requestId, org: admin.developerId, credential: created.id });
    revalidatePath(SECURITY_PATH);
    return { status: 'created', id: created.id, label: created.label, credential: created.credential };
  } catch (err) {
    console.error('[security] break-glass create failed', grantexLogFields(err));
    return { status: 'error', formError: describeGrantexError(err), fieldErrors: {}, values };
  }
}

export const deleteBreakGlassCredential = adminAction(
  'deleteBreakGlassCredential',
  z.object({ id: z.string().min(1).max(ID_MAX) }),
  async ({ id }, admin) => {
    const requestId = randomUUID();
    let outcome = 'deleted';
    try {
      await grantexForAdmin(admin, { requestId }).sso.breakGlass.delete(id);
    } catch (err) {
      if (!(isGrantexError(err) && err.kind === 'not_found')) throw err;
      outcome = 'not_found';
    }
    logSsoEvent('break_glass_deleted', { requestId, org: admin.developerId, credential: id, outcome });
    revalidatePath(SECURITY_PATH);
    redirect(`${SECURITY_PATH}?deleted=${outcome === 'deleted' ? '1' : 'gone'}`);
  },
);
