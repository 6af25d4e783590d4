/**
 * A connection's last 24 hours of sign-ins: successes, and failures by reason in plain words, with a link to the
 * activity page filtered by the connection. Rendered only where the API keeps a sign-in log.
 */
import Link from 'next/link';
import { connectionActivityHref, type SignInSummary } from '@/lib/console/activity';

export function SignInSummaryView({ summary, connectionId }: { summary: SignInSummary; connectionId: string }) {
  const failed = summary.failures.reduce((n, f) => n + f.count, 0);
  const atLeast = summary.partial ? 'at least ' : '';
  return (
    <div className="space-y-3 text-sm">
      <p className="text-gray-900">
        {summary.successes === 0 && failed === 0 ? (
          'No sign-ins in the last 24 hours.'
        ) : (
          <>
            <strong>{atLeast + plural(summary.successes, 'successful sign-in')}</strong>,{' '}
            <strong>{atLeast + plural(failed, 'failed sign-in')}</strong>.
          </>
        )}
      </p>
      {summary.failures.length > 0 ? (
        <ul aria-label="Failures by reason" className="list-disc space-y-1 pl-5 text-gray-900">
          {summary.failures.map((f) => (
            <li key={f.title}>
              {f.title} <span className="text-gray-600">({plural(f.count, 'time')})</span>
            </li>
          ))}
        </ul>
      ) : null}
      <Link href={connectionActivityHref(connectionId)} className="inline-block font-medium text-indigo-700 underline">
        Sign-in activity of this connection
      </Link>
    </div>
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
