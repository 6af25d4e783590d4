import Link from 'next/link';
import { AppShell } from '@/components/app-shell/app-shell';
import { buttonClasses } from '@/components/ui';

export default function NotFound() {
  return (
    <AppShell width="narrow">
      <div className="space-y-4 py-10 text-center">
        <p className="text-sm font-semibold text-indigo-700">404</p>
        <h1 className="text-2xl font-semibold tracking-tight text-gray-900">Page not found</h1>
        <p className="text-sm text-gray-600">The address may be mistyped, or the page has moved.</p>
        <Link href="/" className={buttonClasses('primary', 'md')}>
          Back to the console
        </Link>
      </div>
    </AppShell>
  );
}
