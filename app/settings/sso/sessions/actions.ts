'use server';
/**
 * Revoking an SSO session from /settings/sso/sessions: a plain form action, so it works without JavaScript.
 * It authorizes the admin itself (never trusting the page it came from), revokes (typed result, see
 * lib/console/settings/revoke-session.ts) and sends the browser back with the outcome's code.
 */
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { authorizeAdmin } from '@/lib/auth/action';
import { getAdmin, refuseNonAdmin } from '@/lib/auth';
import { revokeSessionAs } from '@/lib/console/settings/revoke-session';

const SESSIONS_PATH = '/settings/sso/sessions';

export async function revokeSsoSession(formData: FormData): Promise<void> {
  const authorization = await authorizeAdmin('revokeSsoSession', {
    getAdmin,
    refuse: () => refuseNonAdmin(SESSIONS_PATH),
  });
  // A role that may not revoke gets the page back with the reason (nothing is sent to Grantex).
  if ('refused' in authorization) redirect(`${SESSIONS_PATH}?revoke=role_required`);
  const admin = authorization.actor;
  const outcome = await revokeSessionAs(admin, { sessionId: formData.get('sessionId') });
  revalidatePath(SESSIONS_PATH);
  redirect(`${SESSIONS_PATH}?revoke=${outcome}`);
}
