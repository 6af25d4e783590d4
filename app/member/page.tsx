/**
 * The member's session page after an SSO login. Only /member and its routes read the member cookie; it grants
 * nothing in the admin console. When the session is due for a re-check with Grantex, the page first sends the
 * browser to /member/check (which alone can re-seal or clear the cookie), so a revoked session ends here within
 * MEMBER_SESSION_RECHECK_SECONDS.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { env } from '@/lib/env';
import { Alert, buttonClasses } from '@/components/ui';
import { PublicFrame } from '@/components/sso/public-frame';
import { IdentityList } from '@/components/sso/identity-list';
import { SessionDetails } from '@/components/sso/session-details';
import { SubmitButton } from '@/components/sso/submit-button';
import { MEMBER_COOKIE, readMemberSession } from '@/lib/console/member-login/member-session';
import { recheckDueNow } from '@/lib/console/member-login/member-recheck';
import { sealingSecret } from '@/lib/console/utils/cookie-options';

export const metadata: Metadata = { title: 'Signed in', referrer: 'no-referrer' };
export const dynamic = 'force-dynamic';

export default async function MemberPage() {
  const identity = await readMemberSession((await cookies()).get(MEMBER_COOKIE)?.value, sealingSecret());
  if (!identity) {
    return (
      <PublicFrame title="You are not signed in">
        <p>Your session has ended or you have not signed in yet.</p>
        <Link href="/login" className={buttonClasses('primary', 'md', 'w-full')}>
          Sign in with SSO
        </Link>
      </PublicFrame>
    );
  }
  if (recheckDueNow(identity, env().MEMBER_SESSION_RECHECK_SECONDS)) redirect('/member/check');
  return (
    <PublicFrame title="You are signed in">
      <Alert tone="success">Signed in with single sign-on.</Alert>
      <IdentityList identity={identity} />
      {identity.session ? <SessionDetails session={identity.session} /> : null}
      <form method="post" action="/member/sign-out">
        <SubmitButton variant="secondary" className="w-full" pendingLabel="signing out">
          Sign out
        </SubmitButton>
      </form>
    </PublicFrame>
  );
}
