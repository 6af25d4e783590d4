import Link from 'next/link';
import { Alert, buttonClasses } from '@/components/ui';
import { PublicFrame } from '@/components/sso/public-frame';
import { SignOutButton } from '@/components/app-shell';
import { SETUP_LINK_TEXT } from '@/lib/console/messages';

/**
 * Where a setup-link user lands when refused: `ended` (the link expired or was revoked: only signing out is
 * left) or `restricted` (an admin-only page: the connection pages are still theirs).
 */
export function SetupNotice({ kind }: { kind: 'ended' | 'restricted' }) {
  const text = SETUP_LINK_TEXT[kind];
  return (
    <PublicFrame title={text.title}>
      <Alert tone={kind === 'ended' ? 'error' : 'warning'}>{text.next}</Alert>
      <div className="flex flex-wrap items-center gap-3">
        {kind === 'restricted' ? (
          <Link href="/settings/sso" className={buttonClasses('primary', 'md')}>
            Back to SSO setup
          </Link>
        ) : null}
        <SignOutButton />
      </div>
    </PublicFrame>
  );
}
