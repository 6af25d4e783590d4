import { cn } from '@/components/ui/cn';
import { displayText } from '@/lib/console/utils/display-text';

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
  const rows: Array<{ term: string; value: string | null; id?: true }> = [
    { term: 'Developer ID', value: identity.developerId, id: true },
    { term: 'Email', value: identity.email },
    { term: 'Name', value: identity.name },
    { term: 'Subject', value: identity.sub, id: true },
  ];
  return (
    // Side by side only where the list itself is wide (a container query, not the viewport): in the
    // narrow member card a 36-character subject then gets the whole row instead of two thirds of it.
    <dl className="@container divide-y divide-gray-200 rounded-md border border-gray-200">
      {rows.map(({ term, value, id }) => (
        <div key={term} className="grid grid-cols-1 gap-1 px-4 py-3 @sm:grid-cols-[7rem_minmax(0,1fr)] @sm:gap-4">
          <dt className="text-sm font-medium text-gray-600">{term}</dt>
          {/* Identifiers in monospace. Values wrap at their natural break points (spaces, hyphens) and
              only a value too long for the line is cut, wherever needed: no mid-word breaks otherwise. */}
          <dd className={cn('min-w-0 text-sm text-gray-900 [overflow-wrap:anywhere]', id && 'font-mono text-[0.8125rem]')} dir="auto">
            {value ? displayText(value) : <span className="font-sans text-gray-500">(not provided)</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}
