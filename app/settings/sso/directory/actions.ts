'use server';
/**
 * Directory sync actions: create a SCIM token (returned once, never logged), revoke one, and choose per
 * connection whether only directory users sign in. Each authorizes its caller on every call: the API-key admin
 * or the setup-link IT admin (connecting the directory is part of setting SSO up).
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { ID_MAX, SCIM_TOKEN_LABEL_MAX } from '@/lib/contract';
import { connectionsAction } from '@/lib/auth';
import { authorizeConnections } from '@/lib/auth/action';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { DIRECTORY_TEXT } from '@/lib/console/messages';
import { DIRECTORY_PATH } from '@/lib/console/settings/paths';
import { logSsoEvent } from '@/lib/console/utils/log';
import { isGrantexError } from '@/lib/grantex/errors';
import { grantexLogFields } from '@/lib/grantex/server';
import { ALL_CONNECTIONS, type CreateTokenState } from './state';

const createInput = z.object({
  label: z
    .string()
    .trim()
    .min(1, DIRECTORY_TEXT.label_required)
    .max(SCIM_TOKEN_LABEL_MAX, DIRECTORY_TEXT.label_too_long),
  connectionId: z.string().min(1, DIRECTORY_TEXT.connection_unknown).max(ID_MAX, DIRECTORY_TEXT.connection_unknown),
});

const text = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
};

export async function createScimToken(_prev: CreateTokenState, formData: FormData): Promise<CreateTokenState> {
  const values = { label: text(formData, 'label'), connectionId: text(formData, 'connectionId') || ALL_CONNECTIONS };
  const authorization = await authorizeConnections('createScimToken', DIRECTORY_PATH);
  if ('refused' in authorization) return { status: 'error', fieldErrors: {}, values, ...authorization.refused };
  const actor = authorization.actor;
  const parsed = createInput.safeParse(values);
  if (!parsed.success) {
    const fieldErrors: Extract<CreateTokenState, { status: 'error' }>['fieldErrors'] = {};
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      if (key === 'label' || key === 'connectionId') fieldErrors[key] ??= issue.message;
    }
    return { status: 'error', formError: 'Some fields need your attention.', fieldErrors, values };
  }
  const requestId = randomUUID();
  try {
    const { connectionId } = parsed.data;
    const created = await actor.grantex({ requestId }).scim.createToken({
      label: parsed.data.label,
      ...(connectionId !== ALL_CONNECTIONS ? { connectionId } : {}),
    });
    logSsoEvent('scim_token_created', { requestId, org: actor.developerId, token: created.id });
    revalidatePath(DIRECTORY_PATH);
    return { status: 'created', token: created.token, label: created.label, scimBaseUrl: created.scimBaseUrl ?? null };
  } catch (err) {
    console.error('[directory] token create failed', grantexLogFields(err));
    if (isGrantexError(err) && err.kind === 'not_found') {
      return {
        status: 'error',
        formError: 'Some fields need your attention.',
        fieldErrors: { connectionId: DIRECTORY_TEXT.connection_unknown },
        values,
      };
    }
    return { status: 'error', formError: describeGrantexError(err), fieldErrors: {}, values };
  }
}

export const revokeScimToken = connectionsAction(
  'revokeScimToken',
  z.object({ id: z.string().min(1).max(ID_MAX) }),
  async ({ id }, actor) => {
    const requestId = randomUUID();
    await actor.grantex({ requestId }).scim.revokeToken(id);
    logSsoEvent('scim_token_revoked', { requestId, org: actor.developerId, token: id });
    revalidatePath(DIRECTORY_PATH);
    redirect(`${DIRECTORY_PATH}?revoked=1`);
  },
);

export const setDirectoryUsersOnly = connectionsAction(
  'setDirectoryUsersOnly',
  z.object({ connectionId: z.string().min(1).max(ID_MAX), directoryUsersOnly: z.enum(['on']).optional() }),
  async ({ connectionId, directoryUsersOnly }, actor) => {
    const requestId = randomUUID();
    const on = directoryUsersOnly === 'on';
    await actor.grantex({ requestId }).sso.connections.update(connectionId, { directoryUsersOnly: on });
    logSsoEvent('directory_users_only_saved', { requestId, org: actor.developerId, connection: connectionId, on });
    revalidatePath(DIRECTORY_PATH);
    return { ok: true, message: on ? DIRECTORY_TEXT.directoryOnlySaved : DIRECTORY_TEXT.directoryOpenSaved };
  },
);
