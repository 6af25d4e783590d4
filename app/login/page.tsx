/**
 * The hosted member login: plain HTML forms posting to /sso/start, so it works with JavaScript disabled.
 * - `/login`: the member's work email; Grantex routes its domain to the org that verified it.
 * - `/login?by=org`: the organization ID form (as before email sign-in existed).
 * - `/login?org=…` (the admin's member link): one active connection → the form goes straight on; several → a
 *   chooser with each connection's name; none → the page says SSO is not set up instead of a button that can
 *   only fail.
 */
import type { Metadata } from 'next';
import { cookies, headers } from 'next/headers';
import Link from 'next/link';
import { Alert, Field, Input } from '@/components/ui';
import { PublicFrame } from '@/components/sso/public-frame';
import { SubmitButton } from '@/components/sso/submit-button';
import type { SsoPublicConnection } from '@/lib/contract';
import { grantexPublic } from '@/lib/grantex/server';
import { isGrantexError } from '@/lib/grantex/errors';
import { safeOrg } from '@/lib/console/member-login/sso-errors';
import { LOGIN_EMAIL_COOKIE, readTypedEmail } from '@/lib/console/member-login/member-target';
import { sealingSecret } from '@/lib/console/utils/cookie-options';
import {
  MEMBER_CHOOSER_TEXT,
  MEMBER_EMAIL_ERRORS,
  MEMBER_LOGIN_ERRORS,
  ORG_ID_ERRORS,
  type MemberEmailError,
} from '@/lib/console/messages';

export const metadata: Metadata = { title: 'Sign in with SSO', referrer: 'no-referrer' };
export const dynamic = 'force-dynamic';

/** What Grantex says about the org: its active connections, none (not configured), or unknown (an older API). */
type OrgConnections =
  | { status: 'listed'; connections: SsoPublicConnection[]; organizationName: string | null }
  | { status: 'not_configured' }
  | { status: 'unknown' };

/**
 * Whose login this is: the organization's name from Grantex, else its ID (a page that only said "your
 * organization" would let another org's login pass for the member's own), and "your organization" on the
 * email form, where no org is known yet.
 */
function signInTitle(orgName?: string | null): string {
  return `Sign in to ${orgName || 'your organization'} with SSO`;
}

/** After /member/sign-out. A fixed text: nothing from the URL is ever shown. */
function SignedOutStatus({ show }: { show: boolean }) {
  return show ? <Alert tone="success">You have signed out.</Alert> : null;
}

const isNotFound = (err: unknown) => isGrantexError(err) && err.kind === 'not_found';

/**
 * The chooser list. A 404 is confirmed by asking for a login URL (the hosted API has no chooser list, and
 * answers 404 for the path itself); any other failure leaves the plain form in place.
 */
async function orgConnections(org: string): Promise<OrgConnections> {
  // On behalf of this member's browser: its address keys the service's rate-limit bucket, not the console's.
  const client = grantexPublic({ from: await headers() });
  try {
    const listed = await client.sso.getPublicChooser(org);
    // Only a name Grantex gives for this very org (an answer about another one is not shown).
    const name = listed.organization?.id === org ? listed.organization.name.trim() : '';
    return { status: 'listed', connections: listed.connections, organizationName: name || null };
  } catch (err) {
    if (!isNotFound(err)) return { status: 'unknown' };
  }
  try {
    await client.sso.getLoginUrl(org);
    return { status: 'unknown' };
  } catch (err) {
    return isNotFound(err) ? { status: 'not_configured' } : { status: 'unknown' };
  }
}

const emailError = (value: unknown): MemberEmailError | undefined =>
  typeof value === 'string' && Object.hasOwn(MEMBER_EMAIL_ERRORS, value) ? (value as MemberEmailError) : undefined;

const linkClass = 'font-medium text-indigo-700 underline';

/** `connection`: the org's one active connection, when known (it need not be the default one). */
function OrgForm({ org, connection, error }: { org: string; connection?: string; error?: string }) {
  return (
    <form method="post" action="/sso/start" className="space-y-4">
      <input type="hidden" name="mode" value="member" />
      {connection ? <input type="hidden" name="connection" value={connection} /> : null}
      <Field id="org" label="Organization ID" hint="From your administrator’s sign-in link, e.g. dev_…" error={error}>
        <Input
          name="org"
          defaultValue={org}
          required
          maxLength={100}
          pattern="[A-Za-z0-9_\-]+"
          autoComplete="organization"
          spellCheck={false}
          autoCapitalize="none"
        />
      </Field>
      <SubmitButton className="w-full" pendingLabel="redirecting to your identity provider">
        Continue with SSO
      </SubmitButton>
    </form>
  );
}

function EmailForm({ email, error }: { email: string; error?: MemberEmailError }) {
  return (
    <form method="post" action="/sso/start" className="space-y-4">
      <input type="hidden" name="mode" value="member" />
      <Field
        id="email"
        label="Work email"
        hint="The address your organization gave you, e.g. name@company.com"
        error={error ? MEMBER_EMAIL_ERRORS[error] : undefined}
      >
        <Input
          name="email"
          type="email"
          defaultValue={email}
          required
          maxLength={254}
          autoComplete="email"
          spellCheck={false}
          autoCapitalize="none"
        />
      </Field>
      <SubmitButton className="w-full" pendingLabel="redirecting to your identity provider">
        Continue with SSO
      </SubmitButton>
    </form>
  );
}

/** One POST button per active connection; each starts that connection's login. */
function ConnectionChooser({ org, connections }: { org: string; connections: SsoPublicConnection[] }) {
  return (
    <section aria-labelledby="chooser-heading" className="space-y-3">
      <h2 id="chooser-heading" className="text-base font-semibold text-gray-900">
        {MEMBER_CHOOSER_TEXT.heading}
      </h2>
      <p>{MEMBER_CHOOSER_TEXT.intro}</p>
      <ul className="space-y-2">
        {connections.map((c) => (
          <li key={c.id}>
            <form method="post" action="/sso/start">
              <input type="hidden" name="mode" value="member" />
              <input type="hidden" name="org" value={org} />
              <input type="hidden" name="connection" value={c.id} />
              <SubmitButton className="w-full" pendingLabel="redirecting to your identity provider">
                {c.name}
              </SubmitButton>
            </form>
          </li>
        ))}
      </ul>
    </section>
  );
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const rawOrg = typeof params.org === 'string' ? params.org : '';
  const org = safeOrg(rawOrg);
  const orgError = params.error === 'org' || (rawOrg && !org) ? ORG_ID_ERRORS.invalid_on_login : undefined;
  const signedOut = params.signedOut === '1';
  const title = signInTitle();

  if (!rawOrg && !orgError && params.by !== 'org') {
    const typed = await readTypedEmail((await cookies()).get(LOGIN_EMAIL_COOKIE)?.value, sealingSecret());
    return (
      <PublicFrame title={title}>
        <SignedOutStatus show={signedOut} />
        <p>Enter your work email and you will be sent to your organization’s identity provider to sign in.</p>
        <EmailForm email={typed} error={emailError(params.error)} />
        <p>
          <Link href="/login?by=org" className={linkClass}>
            Sign in with an organization ID instead
          </Link>
        </p>
      </PublicFrame>
    );
  }

  const listed = org ? await orgConnections(org) : ({ status: 'unknown' } as const);
  // An org's page names it: by name when Grantex gives one, else by its ID.
  const orgTitle = org
    ? signInTitle(listed.status === 'listed' && listed.organizationName ? listed.organizationName : org)
    : title;

  if (org && listed.status === 'not_configured') {
    return (
      <PublicFrame title={orgTitle}>
        <SignedOutStatus show={signedOut} />
        <Alert tone="warning" title={MEMBER_LOGIN_ERRORS.not_configured.title}>
          Organization <code className="font-mono break-all">{org}</code> has not set up single sign-on. Ask your
          administrator for the right sign-in link.
        </Alert>
        <p>
          <Link href="/login?by=org" className={linkClass}>
            Use a different organization ID
          </Link>
        </p>
      </PublicFrame>
    );
  }

  if (org && listed.status === 'listed' && listed.connections.length > 1) {
    return (
      <PublicFrame title={orgTitle}>
        <SignedOutStatus show={signedOut} />
        <ConnectionChooser org={org} connections={listed.connections} />
      </PublicFrame>
    );
  }

  return (
    <PublicFrame title={orgTitle}>
      <SignedOutStatus show={signedOut} />
      <p>You will be sent to your organization’s identity provider to sign in.</p>
      <OrgForm
        org={org ?? rawOrg.slice(0, 100)}
        connection={listed.status === 'listed' ? listed.connections[0]?.id : undefined}
        error={orgError}
      />
      <p>
        <Link href="/login" className={linkClass}>
          Sign in with your work email instead
        </Link>
      </p>
    </PublicFrame>
  );
}
