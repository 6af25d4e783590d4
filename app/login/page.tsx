/**
 * The hosted member login: a plain HTML form posting to /sso/start, so it works with JavaScript
 * disabled. When the org from the admin's link has no SSO, the page says so instead of offering a
 * button that can only fail.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { Alert, Field, Input } from '@/components/ui';
import { PublicFrame } from '@/components/sso/public-frame';
import { SubmitButton } from '@/components/sso/submit-button';
import { grantexPublic } from '@/lib/grantex/server';
import { isGrantexError } from '@/lib/grantex/errors';
import { safeOrg } from '@/lib/console/member-login/sso-errors';
import { MEMBER_LOGIN_ERRORS, ORG_ID_ERRORS } from '@/lib/console/messages';

export const metadata: Metadata = { title: 'Sign in with SSO', referrer: 'no-referrer' };
export const dynamic = 'force-dynamic';

type OrgStatus = 'configured' | 'not_configured' | 'unknown';

/**
 * Grantex's public API does not name an organization (only its ID, which is no name to a member), so
 * the heading says "your organization" until there is a name to show.
 */
function signInTitle(orgName?: string | null): string {
  return `Sign in to ${orgName || 'your organization'} with SSO`;
}

/** After /member/sign-out. A fixed text: nothing from the URL is ever shown. */
function SignedOutStatus({ show }: { show: boolean }) {
  return show ? <Alert tone="success">You have signed out.</Alert> : null;
}

/**
 * Grantex has no public "is SSO configured" endpoint; asking for a login URL answers it (404 when
 * not configured). The URL itself is discarded; /sso/start asks again for the real login.
 */
async function orgStatus(org: string): Promise<OrgStatus> {
  try {
    await grantexPublic().getLoginUrl(org);
    return 'configured';
  } catch (err) {
    return isGrantexError(err) && err.kind === 'not_found' ? 'not_configured' : 'unknown';
  }
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const rawOrg = typeof params.org === 'string' ? params.org : '';
  const org = safeOrg(rawOrg);
  const orgError =
    params.error === 'org' || (rawOrg && !org) ? ORG_ID_ERRORS.invalid_on_login : undefined;
  const status = org ? await orgStatus(org) : 'unknown';
  const signedOut = params.signedOut === '1';
  const title = signInTitle();

  if (org && status === 'not_configured') {
    return (
      <PublicFrame title={title}>
        <SignedOutStatus show={signedOut} />
        <Alert tone="warning" title={MEMBER_LOGIN_ERRORS.not_configured.title}>
          Organization <code className="font-mono break-all">{org}</code> has not set up single sign-on. Ask your
          administrator for the right sign-in link.
        </Alert>
        <p>
          <Link href="/login" className="font-medium text-indigo-700 underline">
            Use a different organization ID
          </Link>
        </p>
      </PublicFrame>
    );
  }

  return (
    <PublicFrame title={title}>
      <SignedOutStatus show={signedOut} />
      <p>You will be sent to your organization’s identity provider to sign in.</p>
      <form method="post" action="/sso/start" className="space-y-4">
        <input type="hidden" name="mode" value="member" />
        <Field id="org" label="Organization ID" hint="From your administrator’s sign-in link, e.g. dev_…" error={orgError}>
          <Input
            name="org"
            defaultValue={org ?? rawOrg.slice(0, 100)}
            required
            maxLength={100}
            pattern="[A-Za-z0-9_\-]+"
            autoComplete="organization"
            spellCheck={false}
            autoCapitalize="none"
          />
        </Field>
        <SubmitButton className="w-full" pendingLabel="redirecting to your identity provider">
          Continue with SSO
        </SubmitButton>
      </form>
    </PublicFrame>
  );
}
