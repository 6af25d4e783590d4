import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { AppShell } from '@/components/app-shell/app-shell';
import { Alert, Card } from '@/components/ui';
import { safeRedirectPath } from '@/lib/auth/safe-redirect';
import { getAdmin } from '@/lib/auth/session';
import { env } from '@/lib/env';
import { DemoOrg } from './demo-org';
import { MEMBER_EMAIL_ERRORS, messageForErrorQuery, type MemberEmailError } from '@/lib/console/messages';
import { cookies } from 'next/headers';
import { LOGIN_EMAIL_COOKIE, readTypedEmail } from '@/lib/console/member-login/member-target';
import { sealingSecret } from '@/lib/console/utils/cookie-options';
import { SsoSignInForm } from './sso-signin-form';
import { SignInForm } from './signin-form';

export const metadata: Metadata = { title: 'Sign in' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const config = env();
  const redirectTo = safeRedirectPath(first(params.callbackUrl), undefined, config.APP_URL);
  if (await getAdmin()) redirect(redirectTo);

  const signedOut = first(params.signedOut) === '1';
  const queryError = messageForErrorQuery(first(params.error));
  // Only ever looked up: a crafted link cannot make the page say something we did not write.
  const ssoCode = first(params.sso_error);
  const ssoError =
    ssoCode && Object.hasOwn(MEMBER_EMAIL_ERRORS, ssoCode)
      ? MEMBER_EMAIL_ERRORS[ssoCode as MemberEmailError]
      : undefined;
  const typedEmail = ssoError
    ? await readTypedEmail((await cookies()).get(LOGIN_EMAIL_COOKIE)?.value, sealingSecret())
    : '';

  return (
    <AppShell width="narrow">
      <div className="space-y-6">
        <div className="space-y-2 text-center">
          <h1 className="text-2xl font-semibold tracking-tight text-gray-900">Sign in to the SSO console</h1>
          <p className="text-sm text-gray-600">
            Sign in with your work email through your organization’s SSO, or with its Grantex API key.
          </p>
        </div>
        {signedOut ? <Alert tone="success">You have signed out.</Alert> : null}
        <Card title="Sign in with SSO" headingLevel={2}>
          <SsoSignInForm error={ssoError} email={typedEmail} />
        </Card>
        <Card title="Sign in with an API key" headingLevel={2}>
          <SignInForm redirectTo={redirectTo} initialError={queryError} />
        </Card>
        <p className="text-center text-sm text-gray-600">
          Identity provider down and SSO required?{' '}
          <Link href="/signin/break-glass" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
            Use a break-glass credential
          </Link>
        </p>
        {config.CONSOLE_DEMO_SIGNUP ? (
          <Card title="No API key yet?" headingLevel={2}>
            <DemoOrg redirectTo={redirectTo} />
          </Card>
        ) : null}
        <p className="text-center text-sm text-gray-600">
          Signing in as a member of an organization?{' '}
          <Link href="/login" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
            Sign in with SSO
          </Link>
        </p>
      </div>
    </AppShell>
  );
}
