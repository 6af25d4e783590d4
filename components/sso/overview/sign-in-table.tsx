/** The chart's figures as a table (its text equivalent): each bucket with attempts, failures by reason in words. */
import type { StatsPeriod } from '@/lib/contract/stats';
import { OVERVIEW_TEXT } from '@/lib/console/messages';
import type { SeriesPoint } from '@/lib/console/overview';
import { reasonLabel } from './reason-label';

function bucketLabel(iso: string, period: StatsPeriod): string {
  const d = new Date(iso);
  const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
  return period === '24h' ? `${day} ${String(d.getUTCHours()).padStart(2, '0')}:00 UTC` : `${day} (UTC)`;
}

export function SignInTable({
  series,
  period,
  caption,
}: {
  series: readonly SeriesPoint[];
  period: StatsPeriod;
  caption: string;
}) {
  const rows = series.filter((p) => p.success + p.failure > 0);
  if (rows.length === 0) return <p className="text-sm text-gray-600">{OVERVIEW_TEXT.noAttempts}</p>;
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-left text-sm" data-testid="sign-in-stats">
        <caption className="pb-2 text-left text-sm text-gray-600">{caption}</caption>
        <thead className="border-b border-gray-200 text-gray-600">
          <tr>
            <th scope="col" className="py-2 pr-3 font-medium">
              {period === '24h' ? 'Hour' : 'Day'}
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Succeeded
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Failed
            </th>
            <th scope="col" className="py-2 pl-3 font-medium">
              Failures by reason
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {rows.map((p) => (
            <tr key={p.start}>
              <th scope="row" className="py-2 pr-3 font-normal whitespace-nowrap text-gray-900">
                <time dateTime={p.start}>{bucketLabel(p.start, period)}</time>
              </th>
              <td className="px-3 py-2 text-right tabular-nums">{p.success}</td>
              <td className="px-3 py-2 text-right tabular-nums">{p.failure}</td>
              <td className="py-2 pl-3 text-gray-700">
                {Object.keys(p.failuresByReason).length === 0 ? (
                  '—'
                ) : (
                  <ul>
                    {Object.entries(p.failuresByReason)
                      .sort((a, b) => b[1] - a[1])
                      .map(([reason, n]) => (
                        <li key={reason}>
                          {reasonLabel(reason)}: <span className="tabular-nums">{n}</span>
                        </li>
                      ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
