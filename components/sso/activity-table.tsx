/**
 * The sign-in activity table: one row per attempt, each opening (native <details>, no JavaScript) its reason in
 * plain words, what to do next, the IdP's error, its steps as a timeline and the redacted trace (one more
 * <details>). Values from the IdP are shown as text
 * (React escapes them) and capped.
 */
import type { SignInEvent } from '@/lib/contract';
import { describeSignInReason, TRACE_STEP_LABELS } from '@/lib/console/messages';
import { displayText } from '@/lib/console/utils/display-text';
import { Badge } from '@/components/ui';
import { formatTime } from './format-time';

type Connections = ReadonlyArray<{ id: string; name: string }>;

const ms = (n: number) => `${Math.round(n * 10) / 10} ms`;

/**
 * The attempt's steps as a timeline: each step's bar starts and ends where it did within the attempt (the
 * attempt's whole duration is the full width), with its times in text for screen readers and exact reading.
 */
function TraceTimeline({ event }: { event: SignInEvent }) {
  const steps = event.trace.steps ?? [];
  if (steps.length === 0) return null;
  const total = Math.max(event.durationMs, ...steps.map((s) => s.endMs), 0.1);
  const pct = (n: number) => `${Math.min(100, Math.max(0, (n / total) * 100)).toFixed(2)}%`;
  return (
    <div>
      <p className="font-medium text-gray-900">Steps</p>
      <ol className="mt-1 space-y-2" aria-label="Steps of this sign-in">
        {steps.map((step, i) => (
          <li key={`${step.name}-${i}`} className="space-y-1">
            <p className="flex flex-wrap gap-x-3 text-gray-800">
              <span>{displayText(TRACE_STEP_LABELS[step.name] ?? step.name, 64)}</span>
              <span className="text-gray-600 tabular-nums">
                {ms(step.startMs)} → {ms(step.endMs)} ({ms(step.endMs - step.startMs)})
              </span>
              {step.ok ? null : <Badge tone="error">Failed here</Badge>}
            </p>
            <div className="h-2 w-full rounded bg-gray-100" aria-hidden="true">
              <div
                className={`h-2 rounded ${step.ok ? 'bg-indigo-500' : 'bg-red-600'}`}
                style={{ marginLeft: pct(step.startMs), width: pct(Math.max(step.endMs - step.startMs, total / 200)) }}
              />
            </div>
          </li>
        ))}
      </ol>
      <p className="mt-1 text-xs text-gray-600">
        Times count from the start of the callback; the whole attempt took {ms(event.durationMs)}.
      </p>
    </div>
  );
}

function TraceView({ event, connectionName }: { event: SignInEvent; connectionName: string | null }) {
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
        <dt>Connection</dt>
        <dd>{connectionName ?? (event.connectionId ? 'A deleted connection' : '—')}</dd>
        <dt>Started by</dt>
        <dd>{event.startedBy}</dd>
        <dt>Duration</dt>
        <dd>{event.durationMs} ms</dd>
        <dt>Request ID</dt>
        <dd className="font-mono">{event.requestId}</dd>
      </dl>
      <TraceTimeline event={event} />
      <details>
        <summary className="cursor-pointer font-medium text-indigo-700">Raw trace (JSON)</summary>
        {/* Focusable: it scrolls, and a keyboard user must be able to scroll it too. */}
        <pre
          tabIndex={0}
          role="region"
          aria-label={`Raw trace of ${event.requestId}`}
          className="mt-1 max-h-80 overflow-auto rounded bg-gray-50 p-2 text-xs"
        >
          {JSON.stringify(event.trace, null, 2)}
        </pre>
      </details>
    </div>
  );
}

export function ActivityTable({
  events,
  connections = [],
}: {
  events: readonly SignInEvent[];
  connections?: Connections;
}) {
  const nameOf = (id: string | null) => (id === null ? null : (connections.find((c) => c.id === id)?.name ?? null));
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
                {nameOf(event.connectionId) ? (
                  <span className="text-gray-600">via {nameOf(event.connectionId)}</span>
                ) : null}
              </summary>
              <div className="mt-2 pl-4">
                <TraceView event={event} connectionName={nameOf(event.connectionId)} />
              </div>
            </details>
          </li>
        );
      })}
    </ul>
  );
}
