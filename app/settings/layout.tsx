import type { ReactNode } from 'react';
import { AdminShell } from '@/components/app-shell';

/** Every settings page is an admin page; each page still authorizes itself (layouts are cached across navigations). */
export default function SettingsLayout({ children }: { children: ReactNode }) {
  return <AdminShell>{children}</AdminShell>;
}
