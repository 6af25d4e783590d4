/**
 * The landing page of a setup link: what the link allows, who it is for, then the IT admin's name and email.
 * Checking the link here records nothing; redeeming it (the form) does.
 */
import type { Metadata } from 'next';
import { Alert } from '@/components/ui';
import { PublicFrame } from '@/components/sso/public-frame';
import { formatTime } from '@/components/sso/format-time';
import { SETUP_LINK_TOKEN_PATTERN, type SetupLinkSession } from '@/lib/contract';
import { isGrantexError } from '@/lib/grantex/errors';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { grantexForAdmin } from '@/lib/grantex/server';
import { SETUP_LINK_TEXT } from '@/lib/console/messages';
import { RedeemForm } from './redeem-form';

export const metadata: Metadata = {
  title: 'Set up single sign-on',
  referrer: 'no-referrer',
  robots: { index: false, follow: false },
};
export const dynamic = 'force-dynamic';

type Check = { ok: true; link: SetupLinkSession } | { ok: false; message: string };

async function checkLink(token: string): Promise<Check> {
  if (!SETUP_LINK_TOKEN_PATTERN.test(token)) return { ok: false, message: SETUP_LINK_TEXT.invalid.next };
  try {
    return { ok: true, link: await grantexForAdmin({ apiKey: token }).sso.setupLinks.preview() };
  } catch (err) {
    if (isGrantexError(err) && err.kind === 'unauthorized') return { ok: false, message: SETUP_LINK_TEXT.invalid.next };
    return { ok: false, message: describeGrantexError(err) };
  }
}

export default async function SetupLanding({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const check = await checkLink(token);
  if (!check.ok) {
    return (
      <PublicFrame title="Set up single sign-on">
        <Alert tone="error" title={SETUP_LINK_TEXT.invalid.title}>
          {check.message}
        </Alert>
      </PublicFrame>
    );
  }
  const { link } = check;
  return (
    <PublicFrame title={`Set up single sign-on for ${link.organizationName}`}>
      <p>
        You were sent this link to {SETUP_LINK_TEXT.allows}. {SETUP_LINK_TEXT.denies}
      </p>
      <p>
        The link works until <time dateTime={link.expiresAt}>{formatTime(link.expiresAt)}</time>, unless the
        administrator revokes it sooner. Your name and email are shown to the organization’s administrators with the
        time you used it.
      </p>
      <RedeemForm token={token} />
    </PublicFrame>
  );
}
