import { cn } from '@/components/ui/cn';
import { EMAIL_TRUST_TEXT } from '@/lib/console/messages';
import { displayText } from '@/lib/console/utils/display-text';

export interface DisplayIdentity {
  developerId: string;
  email: string | null;
  /** Absent: a Grantex that does not say (then nothing is claimed either way). */
  emailVerified?: boolean;
  name: string | null;
  sub: string;
}

/**
 * "(not verified)" after an email in a list (the sessions page) that the service did not verify: the IdP did not
 * say `email_verified: true` (OIDC), or its domain is not one the org verified (SAML). See docs/EMAIL-TRUST.md.
 */
export function EmailVerifiedNote({ email, emailVerified }: { email: string | null; emailVerified?: boolean }) {
  if (!email || emailVerified !== false) return null;
  return (
    <span className="ml-1 text-xs font-medium text-amber-800" title={EMAIL_TRUST_TEXT.notVerifiedTitle}>
      {EMAIL_TRUST_TEXT.notVerified}
    </span>
  );
}

/**
 * An SSO identity as a description list. Every value came from an IdP: it is rendered as text
 * (React escapes it), stripped of bidi overrides and capped, so a hostile claim stays inert.
 */
export function IdentityList({ identity }: { identity: DisplayIdentity }) {
  // Whether the email is verified gets its own row (the email stays exactly the address): only when Grantex says.
  const verified =
    identity.email && identity.emailVerified !== undefined
      ? identity.emailVerified
        ? EMAIL_TRUST_TEXT.yes
        : EMAIL_TRUST_TEXT.no
      : null;
  const rows: Array<{ term: string; value: string | null; id?: true }> = [
    { term: 'Developer ID', value: identity.developerId, id: true },
    { term: 'Email', value: identity.email },
    ...(verified ? [{ term: EMAIL_TRUST_TEXT.term, value: verified }] : []),
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
          <dd
            className={cn('min-w-0 text-sm text-gray-900 [overflow-wrap:anywhere]', id && 'font-mono text-[0.8125rem]')}
            dir="auto"
          >
            {value ? displayText(value) : <span className="font-sans text-gray-500">(not provided)</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}
