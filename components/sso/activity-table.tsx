/**
 * The sign-in activity table: one row per attempt, each opening (native <details>, no JavaScript) its reason in
 * plain words, what to do next, the IdP's error and the redacted trace. Values from the IdP are shown as text
 * (React escapes them) and capped.
 */
import type { SignInEvent } from '@/lib/contract';
import { describeSignInReason } from '@/lib/console/messages';
import { displayText } from '@/lib/console/utils/display-text';
import { Badge } from '@/components/ui';
import { formatTime } from './format-time';

function TraceView({ event }: { event: SignInEvent }) {
  const problem = describeSignInReason(event.reason, event.trace);
  return (
    <div className="space-y-2 text-sm">
      {problem ? (
        <div>
          <p className="font-medium text-gray-900">{problem.title}</p>
          <p className="text-gray-700">{problem.next}</p>
        </div>
      ) : null}
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-gray-700">
        <dt>Reason code</dt>
        <dd className="font-mono">{event.reason ?? '—'}</dd>
        <dt>Stage</dt>
        <dd>{event.stage}</dd>
        {event.idpError ? (
          <>
            <dt>IdP error</dt>
            <dd className="break-all font-mono">
              {displayText(event.idpError, 64)}
              {event.idpErrorDescription ? `: ${displayText(event.idpErrorDescription, 512)}` : ''}
            </dd>
          </>
        ) : null}
        <dt>Started by</dt>
        <dd>{event.startedBy}</dd>
        <dt>Duration</dt>
        <dd>{event.durationMs} ms</dd>
        <dt>Request ID</dt>
        <dd className="font-mono">{event.requestId}</dd>
      </dl>
      <div>
        <p className="font-medium text-gray-900">Trace</p>
        <pre className="max-h-80 overflow-auto rounded bg-gray-50 p-2 text-xs">
          {JSON.stringify(event.trace, null, 2)}
        </pre>
      </div>
    </div>
  );
}

export function ActivityTable({ events }: { events: readonly SignInEvent[] }) {
  if (events.length === 0) return <p className="text-sm text-gray-600">No sign-in attempts match these filters.</p>;
  return (
    <ul className="divide-y divide-gray-200" aria-label="Sign-in attempts">
      {events.map((event) => {
        const problem = describeSignInReason(event.reason, event.trace);
        return (
          <li key={event.id} className="py-2">
            <details>
              <summary className="flex cursor-pointer flex-wrap items-center gap-3 text-sm">
                <time dateTime={event.createdAt} className="text-gray-600">
                  {formatTime(event.createdAt)}
                </time>
                <Badge tone={event.outcome === 'success' ? 'success' : 'error'}>
                  {event.outcome === 'success' ? 'Succeeded' : 'Failed'}
                </Badge>
                <span className="text-gray-900">{displayText(event.email ?? event.sub ?? 'unknown user', 254)}</span>
                <span className="text-gray-600">{problem ? problem.title : 'Signed in'}</span>
              </summary>
              <div className="mt-2 pl-4">
                <TraceView event={event} />
              </div>
            </details>
          </li>
        );
      })}
    </ul>
  );
}
