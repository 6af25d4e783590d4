import Link from 'next/link';
import type { ReactNode } from 'react';
import { requireConnectionsActor } from '@/lib/auth/connections-actor';
import { getAdmin, orgEnforcement, type Admin } from '@/lib/auth/session';
import { CONSOLE_ROLE_LABELS, SECURITY_TEXT } from '@/lib/console/messages';
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
  { href: '/settings/sso/security', label: 'Security' },
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

/** How long after a break-glass sign-in every admin page says so. */
const BREAK_GLASS_BANNER_MS = 7 * 24 * 60 * 60 * 1000;

/** The last break-glass use when it is recent enough for the banner; null otherwise or when Grantex cannot say. */
async function recentBreakGlassUse(admin: Admin): Promise<{ at: string; label: string } | null> {
  try {
    const { breakGlass } = await orgEnforcement(admin.apiKey);
    if (!breakGlass) return null;
    const age = Date.now() - Date.parse(breakGlass.lastUsedAt);
    return age >= 0 && age <= BREAK_GLASS_BANNER_MS
      ? { at: breakGlass.lastUsedAt, label: breakGlass.lastUsedLabel }
      : null;
  } catch {
    // The banner is a notice, not a gate: a service that cannot answer does not stop the page.
    return null;
  }
}

function BreakGlassBanner({ at, label }: { at: string; label: string }) {
  return (
    <div
      role="note"
      aria-label="Break-glass sign-in"
      className="mb-6 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900"
    >
      <p>
        {SECURITY_TEXT.banner(label, formatTime(at))}{' '}
        <Link href="/settings/sso/security" className="font-medium underline">
          Security settings
        </Link>
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
  const admin = await getAdmin();
  const breakGlass = admin ? await recentBreakGlassUse(admin) : null;
  return (
    <AppShell org={org}>
      {breakGlass ? <BreakGlassBanner at={breakGlass.at} label={breakGlass.label} /> : null}
      {actor.role ? (
        <p className="mb-3 text-xs text-gray-600" data-console-role={actor.role}>
          Signed in{actor.displayName !== actor.organizationName ? ` as ${actor.displayName}` : ''} ·{' '}
          {CONSOLE_ROLE_LABELS[actor.role]}
          {actor.via === 'break_glass' ? ' (break-glass)' : actor.via === 'api_key' ? ' (API key)' : ''}
        </p>
      ) : null}
      <SettingsNav items={ADMIN_NAV} />
      {children}
    </AppShell>
  );
}
