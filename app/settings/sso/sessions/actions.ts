'use server';
/**
 * Revoking an SSO session from /settings/sso/sessions: a plain form action, so it works without JavaScript.
 * It authorizes the admin itself (never trusting the page it came from), revokes (typed result, see
 * lib/console/settings/revoke-session.ts) and sends the browser back with the outcome's code.
 */
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { requireAdmin } from '@/lib/auth';
import { revokeSessionAs } from '@/lib/console/settings/revoke-session';

const SESSIONS_PATH = '/settings/sso/sessions';

export async function revokeSsoSession(formData: FormData): Promise<void> {
  const admin = await requireAdmin(SESSIONS_PATH);
  const outcome = await revokeSessionAs(admin, { sessionId: formData.get('sessionId') });
  revalidatePath(SESSIONS_PATH);
  redirect(`${SESSIONS_PATH}?revoke=${outcome}`);
}
