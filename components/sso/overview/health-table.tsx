/** Each connection's health: status, last success, failure rate in the period, certificate expiry, domains. */
import Link from 'next/link';
import { Badge, type BadgeTone } from '@/components/ui';
import { OVERVIEW_TEXT } from '@/lib/console/messages';
import { failureRate, type ConnectionHealth, type DomainHealth } from '@/lib/console/overview';
import { connectionPath } from '@/lib/console/settings/paths';
import { StatusBadge } from '../connection-badges';
import { formatTime } from '../format-time';

const DOMAIN_TONES: Record<DomainHealth['state'], BadgeTone> = {
  verified: 'success',
  failing: 'warning',
  unverified: 'neutral',
  unknown: 'neutral',
};
const CERT_TONES: Record<'ok' | 'expiring' | 'expired', BadgeTone> = {
  ok: 'success',
  expiring: 'warning',
  expired: 'error',
};

const COLUMNS = ['Connection', 'Status', 'Last success', 'Failure rate', 'Certificate', 'Domains'] as const;

export function HealthTable({ rows, periodLabel }: { rows: readonly ConnectionHealth[]; periodLabel: string }) {
  if (rows.length === 0) return <p className="text-sm text-gray-600">{OVERVIEW_TEXT.noConnections}</p>;
  return (
    <div className="-mx-5 overflow-x-auto sm:-mx-6">
      <table className="min-w-full text-left text-sm">
        <caption className="sr-only">Health of each connection ({periodLabel})</caption>
        <thead className="border-b border-gray-200 text-gray-600">
          <tr>
            {COLUMNS.map((label, i) => (
              <th
                key={label}
                scope="col"
                className={`py-2 font-medium ${i === 0 || i === COLUMNS.length - 1 ? 'px-5 sm:px-6' : 'px-3'}`}
              >
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {rows.map(({ connection, stats, certificate, domains }) => {
            const rate = stats ? failureRate(stats) : null;
            return (
              <tr key={connection.id}>
                <th scope="row" className="px-5 py-3 font-medium sm:px-6">
                  <Link href={connectionPath(connection.id)} className="text-indigo-700 hover:underline">
                    {connection.name}
                  </Link>
                  <span className="ml-2 text-xs font-normal text-gray-600 uppercase">{connection.protocol}</span>
                </th>
                <td className="px-3 py-3">
                  <StatusBadge status={connection.status} />
                </td>
                <td className="px-3 py-3 text-gray-700">
                  {stats?.lastSuccessAt ? (
                    <time dateTime={stats.lastSuccessAt}>{formatTime(stats.lastSuccessAt)}</time>
                  ) : (
                    'None yet'
                  )}
                </td>
                <td className="px-3 py-3 text-gray-700 tabular-nums">
                  {rate === null || !stats
                    ? 'No attempts'
                    : `${Math.round(rate * 100)} % (${stats.failure} of ${stats.success + stats.failure})`}
                </td>
                <td className="px-3 py-3 text-gray-700">
                  {certificate ? (
                    <span className="flex flex-wrap items-center gap-2">
                      <Badge tone={CERT_TONES[certificate.status]}>
                        {OVERVIEW_TEXT.certificateState[certificate.status]}
                      </Badge>
                      <span>
                        until <time dateTime={certificate.notAfter}>{formatTime(certificate.notAfter)}</time>
                      </span>
                    </span>
                  ) : (
                    '—'
                  )}
                </td>
                <td className="px-5 py-3 text-gray-700 sm:px-6">
                  {domains.length === 0 ? (
                    '—'
                  ) : (
                    <ul className="space-y-1">
                      {domains.map((d) => (
                        <li key={d.domain} className="flex flex-wrap items-center gap-2">
                          <span className="break-all">{d.domain}</span>
                          <Badge tone={DOMAIN_TONES[d.state]}>{OVERVIEW_TEXT.domainState[d.state]}</Badge>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
