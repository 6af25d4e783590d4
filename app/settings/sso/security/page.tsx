/**
 * The owner's security page: require SSO for the console (enforcement), and the break-glass credentials that
 * still get an owner in when SSO is required and the IdP is down (create: shown once; list; delete after a
 * confirmation step that works without JavaScript). Everyone signed in may look; only an owner may change.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdmin } from '@/lib/auth';
import { allows } from '@/lib/auth/permissions';
import type { BreakGlassCredential, SsoEnforcement } from '@/lib/contract';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { SECURITY_TEXT } from '@/lib/console/messages';
import { SECURITY_PATH } from '@/lib/console/settings/paths';
import { displayText } from '@/lib/console/utils/display-text';
import { grantexForAdmin } from '@/lib/grantex/server';
import { Alert, Badge, Card, PageHeader } from '@/components/ui';
import { formatTime } from '@/components/sso/format-time';
import { RoleGate } from '@/components/sso/role-gate';
import { CreateBreakGlassForm, DeleteBreakGlassForm, EnforcementForm } from './forms';

export const metadata: Metadata = { title: 'Security · Single sign-on' };
export const dynamic = 'force-dynamic';

function CredentialRow({ credential, confirming }: { credential: BreakGlassCredential; confirming: boolean }) {
  const label = displayText(credential.label, 100);
  return (
    <li className="space-y-3 py-4" aria-label={label}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <p className="font-medium text-gray-900">{label}</p>
          <p className="text-xs text-gray-600">
            Created <time dateTime={credential.createdAt}>{formatTime(credential.createdAt)}</time>
            {credential.createdBy ? <> by {displayText(credential.createdBy, 100)}</> : null} ·{' '}
            {credential.lastUsedAt ? (
              <>
                last used <time dateTime={credential.lastUsedAt}>{formatTime(credential.lastUsedAt)}</time>
              </>
            ) : (
              'never used'
            )}
          </p>
        </div>
        {!confirming ? (
          <Link
            href={`${SECURITY_PATH}?confirm=${encodeURIComponent(credential.id)}`}
            className="text-sm font-medium text-red-700 hover:underline"
          >
            Delete<span className="sr-only"> {label}</span>
          </Link>
        ) : null}
      </div>
      {confirming ? (
        <div className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">
          <p className="mb-3">
            Delete “{label}”? It can no longer sign in. Sessions it already opened end within the hour.
          </p>
          <DeleteBreakGlassForm id={credential.id} label={label} />
        </div>
      ) : null}
    </li>
  );
}

export default async function SecurityPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const admin = await requireAdmin(SECURITY_PATH);
  const query = await searchParams;
  const client = grantexForAdmin(admin);
  const owner = allows('createBreakGlassCredential', admin.role);
  let enforcement: SsoEnforcement | null = null;
  let credentials: BreakGlassCredential[] = [];
  let loadError: string | null = null;
  try {
    [enforcement, credentials] = await Promise.all([
      client.sso.getEnforcement(),
      // The list is the owner's (the service refuses other roles too).
      owner ? client.sso.breakGlass.list() : Promise.resolve([]),
    ]);
  } catch (err) {
    loadError = describeGrantexError(err);
  }
  const confirm = typeof query.confirm === 'string' ? query.confirm : null;

  return (
    <div className="space-y-8">
      <PageHeader
        title="Security"
        description="Require SSO to sign in to this console, and keep break-glass credentials for when your identity provider is down."
      />
      {query.deleted === '1' ? <Alert tone="success">{SECURITY_TEXT.deleted}</Alert> : null}
      {query.deleted === 'gone' ? <Alert tone="info">{SECURITY_TEXT.not_found}</Alert> : null}
      {loadError ? (
        <Alert tone="error" title="The security settings could not be loaded">
          {loadError}
        </Alert>
      ) : null}
      {enforcement ? (
        <Card
          aria-label="Require SSO for the console"
          title="Require SSO for the console"
          description="When on, the API-key sign-in is refused: people sign in with their work email through your identity provider, and get the console role their IdP group maps to. Machines using the API key keep working. Break-glass credentials still sign in."
          actions={
            <Badge tone={enforcement.enforce ? 'success' : 'neutral'}>{enforcement.enforce ? 'On' : 'Off'}</Badge>
          }
        >
          <div className="space-y-4">
            <p className="text-sm text-gray-700" id="enforcement-status">
              {enforcement.enforce ? (
                <>
                  SSO is required
                  {enforcement.enforcedAt ? (
                    <>
                      {' '}
                      since <time dateTime={enforcement.enforcedAt}>{formatTime(enforcement.enforcedAt)}</time>
                    </>
                  ) : null}
                  {enforcement.enforcedBy ? <> (switched on by {displayText(enforcement.enforcedBy, 100)})</> : null}.
                </>
              ) : (
                <>SSO is not required: the API key can sign in to the console.</>
              )}
            </p>
            {!enforcement.enforce ? (
              <p className="text-sm text-gray-600">{SECURITY_TEXT.enforce_needs_owner_sso}</p>
            ) : null}
            <RoleGate permission="setEnforcement" role={admin.role}>
              <EnforcementForm next={enforcement.enforce ? 'off' : 'on'} />
            </RoleGate>
          </div>
        </Card>
      ) : null}
      <Card
        aria-label="Break-glass credentials"
        title="Break-glass credentials"
        description="Each signs in as an owner for one hour, whether or not SSO is required. Every use is in the audit trail and shown in a banner on every page for 7 days."
      >
        <RoleGate permission="createBreakGlassCredential" role={admin.role}>
          {owner ? (
            <div className="space-y-6">
              <CreateBreakGlassForm />
              {credentials.length ? (
                <ul className="divide-y divide-gray-200" aria-label="Your break-glass credentials">
                  {credentials.map((c) => (
                    <CredentialRow key={c.id} credential={c} confirming={confirm === c.id} />
                  ))}
                </ul>
              ) : !loadError ? (
                <p className="text-sm text-gray-600">No break-glass credentials yet.</p>
              ) : null}
            </div>
          ) : (
            <p className="text-sm text-gray-600">The credentials are shown to owners only.</p>
          )}
        </RoleGate>
      </Card>
    </div>
  );
}
