import type { ReactNode } from 'react';
import { requireAdmin } from '@/lib/auth/session';
import { AppShell } from './app-shell';

/**
 * AppShell for signed-in admin pages (use it in e.g. app/settings/layout.tsx). It calls
 * requireAdmin(), so an expired session lands on /signin; pages must still check for themselves
 * (layouts do not re-run on every navigation), which requireAdmin() makes cheap (cached per request).
 */
export async function AdminShell({ children }: { children: ReactNode }) {
  const admin = await requireAdmin();
  return <AppShell org={{ name: admin.name, developerId: admin.developerId }}>{children}</AppShell>;
}
