/**
 * Where a failed member login ends. The URL carries only a short code and the org; the detail
 * (the IdP's description, Grantex's message and request id) comes from a sealed flash cookie and
 * is rendered as escaped, capped text.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { cookies } from 'next/headers';
import { Alert, buttonClasses } from '@/components/ui';
import { PublicFrame } from '@/components/sso/public-frame';
import { safeOrg, ssoErrorCodeSchema } from '@/lib/console/member-login/sso-errors';
import { MEMBER_LOGIN_ERRORS } from '@/lib/console/messages';
import { FLASH_COOKIE, readFlash } from '@/lib/console/member-login/sso-flash';
import { sealingSecret } from '@/lib/console/utils/cookie-options';
import { displayText } from '@/lib/console/utils/display-text';

export const metadata: Metadata = { title: 'Sign-in failed', referrer: 'no-referrer' };
export const dynamic = 'force-dynamic';

export default async function SsoErrorPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const parsed = ssoErrorCodeSchema.safeParse(params.code);
  const code = parsed.success ? parsed.data : 'sso_failed';
  const org = safeOrg(params.org);
  const flash = await readFlash((await cookies()).get(FLASH_COOKIE)?.value, sealingSecret());
  const text = MEMBER_LOGIN_ERRORS[code];
  const retry = org ? `/login?org=${encodeURIComponent(org)}` : '/login';

  return (
    <PublicFrame title="Sign-in failed">
      <Alert tone="error" title={text.title}>
        <p>{text.next}</p>
        {flash ? (
          <p className="mt-2">
            <span className="font-medium">Details: </span>
            <span className="break-words">{displayText(flash.message, 500)}</span>
          </p>
        ) : null}
        {flash?.requestId ? <p className="mt-1 text-xs">Request ID: {displayText(flash.requestId, 100)}</p> : null}
      </Alert>
      <Link href={retry} className={buttonClasses('primary', 'md', 'w-full')}>
        Start over
      </Link>
    </PublicFrame>
  );
}
