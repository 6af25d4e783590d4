import { displayText } from '@/lib/console/utils/display-text';
import { formatTime } from './format-time';

export interface DisplaySession {
  groups: string[];
  mappedScopes: string[];
  expiresAt: string;
}

/** Values from the IdP (groups) and the connection (scopes), rendered as inert text. */
export function TokenList({ values }: { values: string[] }) {
  if (values.length === 0) return <span className="text-gray-500">(none)</span>;
  return (
    <ul className="flex flex-wrap gap-1">
      {values.map((value) => (
        <li key={value} className="rounded bg-gray-100 px-1.5 py-0.5 font-mono text-[0.8125rem]" dir="auto">
          {displayText(value)}
        </li>
      ))}
    </ul>
  );
}

/** The SSO session Grantex opened for the member: groups, mapped scopes, expiry. */
export function SessionDetails({ session }: { session: DisplaySession }) {
  const rows = [
    { term: 'Groups', value: <TokenList values={session.groups} /> },
    { term: 'Scopes', value: <TokenList values={session.mappedScopes} /> },
    { term: 'Session expires', value: <time dateTime={session.expiresAt}>{formatTime(session.expiresAt)}</time> },
  ];
  return (
    <dl aria-label="SSO session" className="@container divide-y divide-gray-200 rounded-md border border-gray-200">
      {rows.map(({ term, value }) => (
        <div key={term} className="grid grid-cols-1 gap-1 px-4 py-3 @sm:grid-cols-[7rem_minmax(0,1fr)] @sm:gap-4">
          <dt className="text-sm font-medium text-gray-600">{term}</dt>
          <dd className="min-w-0 text-sm text-gray-900 [overflow-wrap:anywhere]">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
