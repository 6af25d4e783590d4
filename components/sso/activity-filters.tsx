/** The sign-in activity filters: a plain GET form, so it works without JavaScript. */
import type { ActivityFilters } from '@/lib/console/activity';

const field = 'mt-1 block w-full rounded-md border border-gray-300 px-2 py-1.5 text-sm';

export function ActivityFiltersForm({ filters }: { filters: ActivityFilters }) {
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
        Email
        <input name="email" type="text" defaultValue={filters.email} className={field} />
      </label>
      <label className="text-sm text-gray-700">
        Connection ID
        <input name="connectionId" type="text" defaultValue={filters.connectionId} className={field} />
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
