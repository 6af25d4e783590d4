import Link from 'next/link';
import type { ReactNode } from 'react';
import { requireConnectionsActor } from '@/lib/auth/connections-actor';
import { formatTime } from '@/components/sso/format-time';
import { AppShell } from './app-shell';

/** The admin's settings pages; a setup-link user sees only the connection pages (see SetupBanner). */
const ADMIN_NAV = [
  { href: '/settings/sso/overview', label: 'Overview' },
  { href: '/settings/sso', label: 'Single sign-on' },
  { href: '/settings/sso/sessions', label: 'Sessions' },
  { href: '/settings/sso/activity', label: 'Sign-in activity' },
  { href: '/settings/sso/audit', label: 'Audit trail' },
  { href: '/settings/sso/setup-links', label: 'Setup links' },
  { href: '/settings/sso/directory', label: 'Directory sync' },
  { href: '/settings/sso/webhooks', label: 'Webhooks' },
] as const;
const SETUP_NAV = [
  { href: '/settings/sso', label: 'SSO connections' },
  { href: '/settings/sso/directory', label: 'Directory sync' },
] as const;

function SettingsNav({ items }: { items: ReadonlyArray<{ href: string; label: string }> }) {
  return (
    <nav aria-label="Settings" className="mb-6 flex flex-wrap gap-4 border-b border-gray-200 pb-3 text-sm">
      {items.map((item) => (
        <Link key={item.href} href={item.href} className="font-medium text-indigo-700 hover:underline">
          {item.label}
        </Link>
      ))}
    </nav>
  );
}

function SetupBanner({
  organizationName,
  displayName,
  expiresAt,
}: {
  organizationName: string;
  displayName: string;
  expiresAt: string;
}) {
  return (
    <div
      role="note"
      aria-label="Setup link"
      className="mb-6 rounded-md border border-indigo-200 bg-indigo-50 px-4 py-3 text-sm text-indigo-900"
    >
      <p>
        <span className="font-medium">Setting up SSO for {organizationName}</span> as {displayName} — link expires{' '}
        <time dateTime={expiresAt}>{formatTime(expiresAt)}</time>.
      </p>
      <p className="mt-1 text-indigo-800">
        You can configure and test this organization’s SSO connections and connect its directory; nothing else.
      </p>
    </div>
  );
}

/**
 * AppShell for the settings pages (app/settings/layout.tsx). It takes the API-key admin or a setup-link user
 * (an expired session lands on /signin, an ended link on /setup/ended); every page still authorizes for itself
 * (requireAdmin, or requireConnectionsActor on connection pages), since layouts do not re-run on every navigation.
 */
export async function AdminShell({ children }: { children: ReactNode }) {
  const actor = await requireConnectionsActor();
  const org = { name: actor.organizationName, developerId: actor.developerId };
  if (actor.setupLink) {
    return (
      <AppShell org={org}>
        <SetupBanner
          organizationName={actor.organizationName}
          displayName={actor.displayName}
          expiresAt={actor.setupLink.expiresAt}
        />
        <SettingsNav items={SETUP_NAV} />
        {children}
      </AppShell>
    );
  }
  return (
    <AppShell org={org}>
      <SettingsNav items={ADMIN_NAV} />
      {children}
    </AppShell>
  );
}
