/** The alerts that need an admin's action, each with where to act; errors first. */
import Link from 'next/link';
import { Alert } from '@/components/ui';
import { OVERVIEW_TEXT } from '@/lib/console/messages';
import type { OverviewAlert } from '@/lib/console/overview';

export function AlertList({ alerts }: { alerts: readonly OverviewAlert[] }) {
  if (alerts.length === 0) return <p className="text-sm text-gray-600">{OVERVIEW_TEXT.noAlerts}</p>;
  return (
    <ul className="space-y-3" aria-label="Alerts">
      {alerts.map((a, i) => (
        <li key={`${a.kind}-${i}`} data-alert-kind={a.kind}>
          <Alert tone={a.severity} title={a.title}>
            <p>{a.detail}</p>
            <p className="mt-1">
              <Link href={a.href} className="font-medium underline">
                Open
                <span className="sr-only"> {a.title}</span>
              </Link>
            </p>
          </Alert>
        </li>
      ))}
    </ul>
  );
}
