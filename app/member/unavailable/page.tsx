/**
 * Where /member/check sends a member when Grantex could not confirm their session for longer than the grace
 * period: nothing of the member is shown (fail closed); the session is kept, so Try again works once Grantex
 * answers.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { Alert, buttonClasses } from '@/components/ui';
import { PublicFrame } from '@/components/sso/public-frame';
import { MEMBER_SESSION_TEXT } from '@/lib/console/messages';

export const metadata: Metadata = { title: MEMBER_SESSION_TEXT.unavailable.title, referrer: 'no-referrer' };

export default function MemberSessionUnavailablePage() {
  return (
    <PublicFrame title={MEMBER_SESSION_TEXT.unavailable.title}>
      <Alert tone="error">{MEMBER_SESSION_TEXT.unavailable.next}</Alert>
      <Link href="/member" prefetch={false} className={buttonClasses('primary', 'md', 'w-full')}>
        Try again
      </Link>
    </PublicFrame>
  );
}
