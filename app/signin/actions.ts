'use server';

import { headers } from 'next/headers';
import { env } from '@/lib/env';
import { checkSigninRate, signinRateMessage } from '@/lib/auth/signin-limit';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { grantexLogFields, grantexPublic } from '@/lib/grantex/server';
import { SIGNIN_FORM_ERRORS } from '@/lib/console/messages';

export type DemoOrgState =
  | { status: 'idle' }
  | { status: 'error'; message: string }
  /** The key is returned exactly once, to the person who just created the organization. */
  | { status: 'created'; developerId: string; name: string; apiKey: string };

function demoName(now = new Date()): string {
  return `Demo org ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export async function createDemoOrganization(): Promise<DemoOrgState> {
  if (!env().CONSOLE_DEMO_SIGNUP) {
    return { status: 'error', message: SIGNIN_FORM_ERRORS.demo_signup_off };
  }
  const from = await headers();
  const wait = checkSigninRate(from);
  if (wait !== null)
    return { status: 'error', message: signinRateMessage(wait).replace('sign-in attempts', 'attempts') };
  try {
    // No retries: signup is not idempotent, a retry could create a second organization.
    const created = await grantexPublic({ from, retries: 0 }).orgs.signup({ name: demoName(), mode: 'sandbox' });
    return { status: 'created', developerId: created.developerId, name: created.name, apiKey: created.apiKey };
  } catch (err) {
    console.error('[signin] demo signup failed', grantexLogFields(err));
    return { status: 'error', message: describeGrantexError(err) };
  }
}
