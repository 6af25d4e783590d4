/**
 * /signin/break-glass: the way in when SSO is required and the identity provider is down. A separate page, so the
 * everyday sign-in does not invite it.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { AppShell } from '@/components/app-shell/app-shell';
import { Card } from '@/components/ui';
import { getAdmin } from '@/lib/auth/session';
import { DEFAULT_AFTER_SIGNIN } from '@/lib/auth/safe-redirect';
import { BreakGlassForm } from './form';

export const metadata: Metadata = { title: 'Break-glass sign-in' };

export default async function BreakGlassPage() {
  if (await getAdmin()) redirect(DEFAULT_AFTER_SIGNIN);
  return (
    <AppShell width="narrow">
      <div className="space-y-6">
        <div className="space-y-2 text-center">
          <h1 className="text-2xl font-semibold tracking-tight text-gray-900">Break-glass sign-in</h1>
          <p className="text-sm text-gray-600">
            For emergencies only, when SSO is required and your identity provider cannot sign you in.
          </p>
        </div>
        <Card>
          <BreakGlassForm />
        </Card>
        <p className="text-center text-sm text-gray-600">
          <Link href="/signin" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
            Back to sign-in
          </Link>
        </p>
      </div>
    </AppShell>
  );
}
