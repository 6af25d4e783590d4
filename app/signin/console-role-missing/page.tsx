/** Where a console sign-in lands when the IdP signed the person in but none of their groups maps to a console role. */
import type { Metadata } from 'next';
import Link from 'next/link';
import { AppShell } from '@/components/app-shell/app-shell';
import { Alert } from '@/components/ui';
import { CONSOLE_SIGNIN_TEXT } from '@/lib/console/messages';

export const metadata: Metadata = { title: CONSOLE_SIGNIN_TEXT.role_missing.title };

export default function ConsoleRoleMissingPage() {
  return (
    <AppShell width="narrow">
      <div className="space-y-6">
        <h1 className="text-2xl font-semibold tracking-tight text-gray-900">
          {CONSOLE_SIGNIN_TEXT.role_missing.title}
        </h1>
        <Alert tone="error">{CONSOLE_SIGNIN_TEXT.role_missing.next}</Alert>
        <p className="text-sm text-gray-600">
          <Link href="/signin" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
            Back to sign-in
          </Link>
        </p>
      </div>
    </AppShell>
  );
}
