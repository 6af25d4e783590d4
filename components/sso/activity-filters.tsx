/**
 * The sign-in activity filters: a plain GET form, so it works without JavaScript. The connection is chosen by
 * name and the reason by its words (the URL carries the connection id and the reason code).
 */
import { SIGN_IN_REASONS, SIGN_IN_STAGES, type SignInReason } from '@/lib/contract';
import type { ActivityFilters } from '@/lib/console/activity';
import { describeSignInReason } from '@/lib/console/messages';

const field = 'mt-1 block w-full rounded-md border border-gray-300 px-2 py-1.5 text-sm';

const STAGE_LABELS: Record<(typeof SIGN_IN_STAGES)[number], string> = Object.fromEntries(
  SIGN_IN_STAGES.map((s) => [s, `${s.charAt(0).toUpperCase()}${s.slice(1)}`]),
) as Record<(typeof SIGN_IN_STAGES)[number], string>;

/** Reason codes by stage, each with its words, for the reason select. */
const REASON_GROUPS = SIGN_IN_STAGES.map((stage) => ({
  stage,
  reasons: (Object.keys(SIGN_IN_REASONS) as SignInReason[])
    .filter((r) => SIGN_IN_REASONS[r] === stage)
    .map((r) => ({ code: r, label: describeSignInReason(r)?.title ?? r }))
    .sort((a, b) => a.label.localeCompare(b.label)),
})).filter((g) => g.reasons.length > 0);

export function ActivityFiltersForm({
  filters,
  connections,
}: {
  filters: ActivityFilters;
  connections: ReadonlyArray<{ id: string; name: string }>;
}) {
  const unknownConnection = filters.connectionId !== '' && !connections.some((c) => c.id === filters.connectionId);
  return (
    <form
      method="get"
      action="/settings/sso/activity"
      className="grid grid-cols-1 gap-3 sm:grid-cols-6 sm:items-end"
      aria-label="Filter sign-in activity"
    >
      <label className="text-sm text-gray-700">
        Outcome
        <select name="outcome" defaultValue={filters.outcome} className={field}>
          <option value="">Any</option>
          <option value="success">Succeeded</option>
          <option value="failure">Failed</option>
        </select>
      </label>
      <label className="text-sm text-gray-700 sm:col-span-2">
        Connection
        <select name="connectionId" defaultValue={filters.connectionId} className={field}>
          <option value="">All connections</option>
          {connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
          {unknownConnection ? <option value={filters.connectionId}>A deleted connection</option> : null}
        </select>
      </label>
      <label className="text-sm text-gray-700 sm:col-span-3">
        Reason
        <select name="reason" defaultValue={filters.reason} className={field}>
          <option value="">Any reason</option>
          {REASON_GROUPS.map((g) => (
            <optgroup key={g.stage} label={STAGE_LABELS[g.stage]}>
              {g.reasons.map((r) => (
                <option key={r.code} value={r.code}>
                  {r.label}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      <label className="text-sm text-gray-700 sm:col-span-2">
        Email
        <input name="email" type="text" defaultValue={filters.email} className={field} />
      </label>
      <label className="text-sm text-gray-700">
        From (UTC)
        <input name="from" type="date" defaultValue={filters.from} className={field} />
      </label>
      <label className="text-sm text-gray-700">
        To (UTC)
        <input name="to" type="date" defaultValue={filters.to} className={field} />
      </label>
      <div className="sm:col-span-6">
        <button
          type="submit"
          className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500"
        >
          Apply filters
        </button>
      </div>
    </form>
  );
}
