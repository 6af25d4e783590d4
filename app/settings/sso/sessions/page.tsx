/**
 * Active SSO sessions of the organization (server-rendered): who signed in, through which connection, with
 * which groups and scopes, until when; each row can be revoked. The confirmation is a native <details>
 * disclosure holding the revoke form, so it works without JavaScript and ships none.
 */
import { RoleGate } from '@/components/sso/role-gate';
import type { Metadata } from 'next';
import { requireAdmin } from '@/lib/auth';
import type { SsoConnection, SsoSession } from '@/lib/contract';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { grantexForAdmin } from '@/lib/grantex/server';
import { SESSIONS_MESSAGES, type SessionsOutcome } from '@/lib/console/messages';
import { EmailVerifiedNote } from '@/components/sso/identity-list';
import { displayText } from '@/lib/console/utils/display-text';
import Link from 'next/link';
import { Alert } from '@/components/ui/alert';
import { buttonClasses } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { SubmitButton } from '@/components/sso/submit-button';
import { formatTime } from '@/components/sso/format-time';
import { TokenList } from '@/components/sso/session-details';
import { revokeSsoSession } from './actions';

export const metadata: Metadata = { title: 'SSO sessions' };
export const dynamic = 'force-dynamic';

const OUTCOMES = new Set<string>(['revoked', 'not_found', 'failed', 'role_required'] satisfies SessionsOutcome[]);

function outcomeOf(value: string | string[] | undefined): SessionsOutcome | null {
  return typeof value === 'string' && OUTCOMES.has(value) ? (value as SessionsOutcome) : null;
}

export default async function SsoSessionsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const admin = await requireAdmin('/settings/sso/sessions');
  const outcome = outcomeOf((await searchParams).revoke);
  let sessions: SsoSession[] = [];
  let connections: SsoConnection[] = [];
  let loadError: string | null = null;
  try {
    const client = grantexForAdmin(admin);
    [sessions, connections] = await Promise.all([client.sso.sessions.list(), client.sso.connections.list()]);
  } catch (err) {
    loadError = describeGrantexError(err);
  }
  const connectionNames = new Map(connections.map((c) => [c.id, c.name]));

  return (
    <div className="space-y-8">
      <PageHeader
        title="SSO sessions"
        description="Members signed in through your identity providers right now. Revoking a session signs that member out of apps that check it; they can sign in again."
      />
      {outcome ? (
        <Alert tone={outcome === 'failed' || outcome === 'role_required' ? 'error' : 'success'}>
          {SESSIONS_MESSAGES[outcome]}
        </Alert>
      ) : null}
      {loadError ? (
        <Alert tone="error" title={SESSIONS_MESSAGES.load_failed}>
          {loadError}
        </Alert>
      ) : null}
      <Card title="Active sessions" description="Newest first; expired and revoked sessions are not shown.">
        {sessions.length === 0 && !loadError ? (
          <p className="text-sm text-gray-600">
            No active sessions. When a member signs in with SSO, their session appears here.
          </p>
        ) : (
          <RoleGate permission="revokeSsoSession" role={admin.role}>
            <div className="overflow-x-auto">
              <table className="w-full text-left text-sm">
                <thead className="border-b border-gray-200 text-gray-600">
                  <tr>
                    <th scope="col" className="py-2 pr-4 font-medium">
                      Email
                    </th>
                    <th scope="col" className="py-2 pr-4 font-medium">
                      Name
                    </th>
                    <th scope="col" className="py-2 pr-4 font-medium">
                      Connection
                    </th>
                    <th scope="col" className="py-2 pr-4 font-medium">
                      Groups
                    </th>
                    <th scope="col" className="py-2 pr-4 font-medium">
                      Scopes
                    </th>
                    <th scope="col" className="py-2 pr-4 font-medium">
                      Signed in
                    </th>
                    <th scope="col" className="py-2 pr-4 font-medium">
                      Expires
                    </th>
                    <th scope="col" className="py-2 font-medium">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-gray-100 align-top">
                  {sessions.map((s) => {
                    const who = displayText(s.email ?? s.name ?? s.idpSubject, 100);
                    return (
                      <tr key={s.id}>
                        <td className="py-3 pr-4 [overflow-wrap:anywhere]" dir="auto">
                          {s.email ? displayText(s.email) : '—'}
                          <EmailVerifiedNote email={s.email} emailVerified={s.emailVerified} />
                        </td>
                        <td className="py-3 pr-4" dir="auto">
                          {s.name ? displayText(s.name) : '—'}
                        </td>
                        <td className="py-3 pr-4" dir="auto">
                          {displayText(connectionNames.get(s.connectionId) ?? s.connectionId)}
                        </td>
                        <td className="py-3 pr-4">
                          <TokenList values={s.groups} />
                        </td>
                        <td className="py-3 pr-4">
                          <TokenList values={s.mappedScopes} />
                        </td>
                        <td className="py-3 pr-4 whitespace-nowrap">
                          <time dateTime={s.createdAt}>{formatTime(s.createdAt)}</time>
                        </td>
                        <td className="py-3 pr-4 whitespace-nowrap">
                          <time dateTime={s.expiresAt}>{formatTime(s.expiresAt)}</time>
                        </td>
                        <td className="py-3">
                          <details className="group">
                            <summary className={buttonClasses('secondary', 'sm', 'cursor-pointer list-none')}>
                              Revoke<span className="sr-only"> the session of {who}</span>
                            </summary>
                            <form
                              action={revokeSsoSession}
                              className="mt-2 w-56 space-y-2 rounded-md border border-gray-200 bg-white p-3"
                            >
                              <p className="text-gray-700">
                                Revoke the session of {who}? They will have to sign in again.
                              </p>
                              <input type="hidden" name="sessionId" value={s.id} />
                              <SubmitButton variant="danger" size="sm" pendingLabel="revoking">
                                Revoke session
                              </SubmitButton>
                            </form>
                          </details>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </RoleGate>
        )}
      </Card>
      <p className="text-sm">
        <Link className="underline" href="/settings/sso">
          Back to single sign-on
        </Link>
      </p>
    </div>
  );
}
