'use server';
/**
 * The IT admin redeems a setup link: says who they are (recorded by Grantex with the time), and Grantex exchanges
 * the link's token for a setup session token of their own. Only that session token goes into the encrypted,
 * HttpOnly session cookie (the link's token, which the API refuses anyway, is not kept); the redirect that
 * follows leaves the link's URL behind.
 */
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { LIMITS, SETUP_LINK_TOKEN_PATTERN } from '@/lib/contract';
import { startSetupSession } from '@/lib/auth/connections-actor';
import { checkSigninRate, signinRateMessage } from '@/lib/auth/signin-limit';
import { isGrantexError } from '@/lib/grantex/errors';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { grantexForAdmin, grantexLogFields } from '@/lib/grantex/server';
import { SETUP_LINK_TEXT } from '@/lib/console/messages';
import { logSsoEvent } from '@/lib/console/utils/log';
import type { RedeemState } from './redeem-state';

const redeemInput = z.object({
  token: z.string().regex(SETUP_LINK_TOKEN_PATTERN),
  name: z.string().trim().min(1, SETUP_LINK_TEXT.name_required).max(LIMITS.nameMax, SETUP_LINK_TEXT.name_required),
  email: z
    .string()
    .trim()
    .pipe(z.email(SETUP_LINK_TEXT.email_invalid).max(LIMITS.emailMax, SETUP_LINK_TEXT.email_invalid)),
});

const field = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
};

export async function redeemSetupLink(_prev: RedeemState, formData: FormData): Promise<RedeemState> {
  const values = { name: field(formData, 'name'), email: field(formData, 'email') };
  const wait = checkSigninRate(await headers());
  if (wait !== null) return { formError: signinRateMessage(wait), fieldErrors: {}, values };
  const parsed = redeemInput.safeParse({ token: field(formData, 'token'), ...values });
  if (!parsed.success) {
    const fieldErrors: RedeemState['fieldErrors'] = {};
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      if (key === 'token') return { formError: SETUP_LINK_TEXT.invalid.next, fieldErrors: {}, values };
      if (key === 'name' || key === 'email') fieldErrors[key] ??= issue.message;
    }
    return { formError: 'Some fields need your attention.', fieldErrors, values };
  }
  const { token, name, email } = parsed.data;
  try {
    // Not retried by the client: one redemption, one recorded use.
    const session = await grantexForAdmin({ apiKey: token }).sso.setupLinks.redeem({ name, email });
    await startSetupSession(session, { name, email });
    logSsoEvent('setup_link_redeemed', { org: session.developerId, link: session.linkId, session: session.sessionId });
  } catch (err) {
    if (isGrantexError(err) && err.kind === 'unauthorized')
      return { formError: SETUP_LINK_TEXT.invalid.next, fieldErrors: {}, values };
    console.error('[setup] redeeming a setup link failed', grantexLogFields(err));
    return { formError: describeGrantexError(err), fieldErrors: {}, values };
  }
  redirect('/settings/sso');
}
