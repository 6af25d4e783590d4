import { displayText } from '@/lib/console/display-text';

export interface DisplayIdentity {
  developerId: string;
  email: string | null;
  name: string | null;
  sub: string;
}

/**
 * An SSO identity as a description list. Every value came from an IdP: it is rendered as text
 * (React escapes it), stripped of bidi overrides and capped, so a hostile claim stays inert.
 */
export function IdentityList({ identity }: { identity: DisplayIdentity }) {
  const rows: Array<[string, string | null]> = [
    ['Developer ID', identity.developerId],
    ['Email', identity.email],
    ['Name', identity.name],
    ['Subject', identity.sub],
  ];
  return (
    <dl className="divide-y divide-gray-200 rounded-md border border-gray-200">
      {rows.map(([term, value]) => (
        <div key={term} className="grid grid-cols-1 gap-1 px-4 py-3 sm:grid-cols-3 sm:gap-4">
          <dt className="text-sm font-medium text-gray-600">{term}</dt>
          <dd className="text-sm break-all text-gray-900 sm:col-span-2" dir="auto">
            {value ? displayText(value) : <span className="text-gray-500">(not provided)</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}
