import Link from 'next/link';
import { redirect } from 'next/navigation';
import { AppShell } from '@/components/app-shell/app-shell';
import { buttonClasses, Card } from '@/components/ui';
import { DEFAULT_AFTER_SIGNIN } from '@/lib/auth/safe-redirect';
import { getAdmin } from '@/lib/auth/session';

export default async function Home() {
  if (await getAdmin()) redirect(DEFAULT_AFTER_SIGNIN);
  return (
    <AppShell>
      <div className="mx-auto max-w-2xl space-y-8 py-6">
        <div className="space-y-3">
          <h1 className="text-3xl font-semibold tracking-tight text-gray-900">
            Single sign-on for your Grantex organization
          </h1>
          <p className="text-base text-gray-600">
            Connect your identity provider over OpenID Connect, test the sign-in end to end, and share a sign-in link
            with your members.
          </p>
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <Card title="Administrators" description="Configure SSO with your organization’s API key.">
            <Link href="/signin" className={buttonClasses('primary', 'md', 'w-full')}>
              Sign in to the console
            </Link>
          </Card>
          <Card title="Members" description="Sign in through your organization’s identity provider.">
            <Link href="/login" className={buttonClasses('secondary', 'md', 'w-full')}>
              Sign in with SSO
            </Link>
          </Card>
        </div>
      </div>
    </AppShell>
  );
}
