/**
 * Where an identity provider sends the member after its logout (the post-logout redirect URI of OIDC connections,
 * and where Grantex sends the browser once it checked a SAML LogoutResponse). The session already ended before
 * the member left for the IdP: this page only says so; `slo` (ok | failed) says whether a SAML IdP's answer was
 * verified. Query values other than those two are ignored (OIDC's `state` is echoed and unused).
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { Alert, buttonClasses } from '@/components/ui';
import { PublicFrame } from '@/components/sso/public-frame';
import { LOGOUT_TEXT } from '@/lib/console/messages';

export const metadata: Metadata = { title: LOGOUT_TEXT.signedOut.title, referrer: 'no-referrer' };
export const dynamic = 'force-dynamic';

export default async function MemberSignedOutPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const slo = (await searchParams).slo;
  return (
    <PublicFrame title={LOGOUT_TEXT.signedOut.title}>
      <Alert tone="success">{LOGOUT_TEXT.signedOut.next}</Alert>
      {slo === 'ok' ? <p>{LOGOUT_TEXT.idpConfirmed}</p> : null}
      {slo === 'failed' ? <Alert tone="error">{LOGOUT_TEXT.idpUnconfirmed}</Alert> : null}
      <Link href="/login" prefetch={false} className={buttonClasses('primary', 'md', 'w-full')}>
        Sign in again
      </Link>
    </PublicFrame>
  );
}
