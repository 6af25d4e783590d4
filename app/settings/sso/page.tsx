/**
 * SSO settings: the organization's connections as a table (each row links to the connection's page), the
 * console's addresses, and an empty state that leads into creating the first connection with a provider guide.
 * A server component: the API key never reaches the browser, and the page needs no JavaScript.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { requireConnectionsActor } from '@/lib/auth';
import { env } from '@/lib/env';
import { redirectUriView } from '@/lib/console/settings/redirect-uri';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import type { SsoConnection } from '@/lib/contract';
import { CONNECTION_STATUS_TEXT, CONNECTION_TEXT } from '@/lib/console/messages';
import { Alert, Card, CodeValue, PageHeader } from '@/components/ui';
import { buttonClasses } from '@/components/ui/button';
import { DefaultBadge, DomainList, LastSignIn, StatusBadge } from '@/components/sso/connection-badges';
import { PROVIDER_GUIDES } from '@/components/sso/provider-guides';
import { CONNECTION_STATUS_VALUES } from '@/lib/validations/connection-fields';
import { connectionPath, NEW_CONNECTION_PATH, SSO_SETTINGS_PATH } from '@/lib/console/settings/paths';

export const metadata: Metadata = { title: 'Single sign-on' };
export const dynamic = 'force-dynamic';

export default async function SsoSettingsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requireConnectionsActor(SSO_SETTINGS_PATH);
  let connections: SsoConnection[] | null = null;
  let loadError: string | null = null;
  try {
    connections = await actor.grantex().sso.connections.list();
  } catch (err) {
    loadError = describeGrantexError(err);
  }
  const memberLink = `${env().APP_URL}/login?org=${encodeURIComponent(actor.developerId)}`;
  const query = await searchParams;

  return (
    <div className="space-y-8">
      <PageHeader
        title="Single sign-on"
        description="Let your organization’s members sign in with your own identity providers (any OpenID Connect provider: Okta, Entra ID, Google Workspace, Auth0, Keycloak…). Each identity provider is one connection."
        actions={
          connections && connections.length > 0 ? (
            <Link href={NEW_CONNECTION_PATH} className={buttonClasses('primary', 'md')}>
              Add connection
            </Link>
          ) : null
        }
      />

      {query.deleted === '1' ? <Alert tone="success">{CONNECTION_TEXT.deleted}</Alert> : null}

      {loadError ? (
        <Alert tone="error" title="The connections could not be loaded">
          {loadError}
        </Alert>
      ) : null}

      {connections && connections.length > 0 ? <ConnectionsTable connections={connections} /> : null}
      {connections && connections.length === 0 ? <EmptyState orgName={actor.organizationName} /> : null}

      <Card title="Your console’s addresses" description="Available before you configure anything.">
        <div className="space-y-5">
          <RedirectUris connections={connections ?? []} />
          <div className="space-y-2">
            <h3 className="text-sm font-medium text-gray-900">Member sign-in link</h3>
            <p className="text-sm text-gray-600">
              Share this with your members once the test sign-in works. It signs them in through your default
              connection.
            </p>
            <CodeValue value={memberLink} copyLabel="Copy member sign-in link" />
          </div>
        </div>
      </Card>
    </div>
  );
}

/**
 * Each OIDC connection's own redirect URI (the address to register at its IdP): a sign-in that comes back to
 * another connection's address is refused. A connection still on the shared address links to its page, where
 * it moves in one step.
 */
function RedirectUris({ connections }: { connections: SsoConnection[] }) {
  const rows = connections.flatMap((c) => {
    const view = redirectUriView(c);
    return view ? [{ connection: c, view }] : [];
  });
  return (
    <div className="space-y-2">
      <h3 className="text-sm font-medium text-gray-900">Redirect URIs</h3>
      <p className="text-sm text-gray-600">
        Each connection has its own. Register a connection’s redirect URI, exactly, in its identity provider’s app; a
        new connection’s is shown when you add it.
      </p>
      {rows.length > 0 ? (
        <ul className="space-y-3" aria-label="Redirect URIs of your connections">
          {rows.map(({ connection, view }) => (
            <li key={connection.id} className="space-y-1">
              <p className="text-sm font-medium text-gray-900">{connection.name}</p>
              <CodeValue value={view.registered} copyLabel={`Copy redirect URI of ${connection.name}`} />
              {view.kind === 'shared' ? (
                <p className="text-sm text-amber-900">
                  {CONNECTION_TEXT.sharedRedirectTitle}.{' '}
                  <Link href={connectionPath(connection.id)} className="font-medium underline">
                    Move {connection.name} to its own redirect URI
                  </Link>
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The table's columns; `true` marks the outer ones, which line up with the card's padding. */
const COLUMNS: ReadonlyArray<readonly [string, boolean]> = [
  ['Name', true],
  ['Protocol', false],
  ['Status', false],
  ['Domains', false],
  ['Last sign-in', true],
];

function ConnectionsTable({ connections }: { connections: SsoConnection[] }) {
  return (
    <Card title="Connections" description="Open a connection to edit it, test it, change its status or delete it.">
      <div className="-mx-5 overflow-x-auto sm:-mx-6">
        <table className="min-w-full text-left text-sm">
          <caption className="sr-only">Your organization’s SSO connections</caption>
          <thead className="border-b border-gray-200 text-gray-600">
            <tr>
              {COLUMNS.map(([label, edge]) => (
                <th key={label} scope="col" className={`py-2 font-medium ${edge ? 'px-5 sm:px-6' : 'px-3'}`}>
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-gray-200">
            {connections.map((c) => (
              <tr key={c.id}>
                <th scope="row" className="px-5 py-3 font-medium sm:px-6">
                  <span className="flex flex-wrap items-center gap-2">
                    <Link href={connectionPath(c.id)} className="text-indigo-700 underline-offset-2 hover:underline">
                      {c.name}
                    </Link>
                    {c.isDefault ? <DefaultBadge /> : null}
                  </span>
                </th>
                <td className="px-3 py-3 text-gray-900">{c.protocol.toUpperCase()}</td>
                <td className="px-3 py-3">
                  <StatusBadge status={c.status} />
                </td>
                <td className="px-3 py-3 text-gray-900">
                  <DomainList domains={c.domains} />
                </td>
                <td className="px-5 py-3 text-gray-900 sm:px-6">
                  <LastSignIn connection={c} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <dl className="mt-4 grid grid-cols-1 gap-x-4 gap-y-1 text-sm text-gray-600 sm:grid-cols-[max-content_1fr]">
        {CONNECTION_STATUS_VALUES.map((s) => (
          <div key={s} className="contents">
            <dt className="font-medium text-gray-900">{CONNECTION_STATUS_TEXT[s].label}</dt>
            <dd>{CONNECTION_STATUS_TEXT[s].explanation}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

function EmptyState({ orgName }: { orgName: string }) {
  return (
    <Card title="SSO is not configured yet">
      <p className="text-sm text-gray-700">
        With single sign-on, members of {orgName} sign in through your identity provider instead of a separate password.
        To set it up:
      </p>
      <ol className="mt-3 list-decimal space-y-1 pl-5 text-sm text-gray-700">
        <li>Add a connection: it gets its own redirect URI, which you register in your identity provider’s app.</li>
        <li>
          Enter the issuer URL, client ID and client secret your identity provider gives you (the issuer is checked
          first).
        </li>
        <li>Run a test sign-in to see the identity Grantex resolves.</li>
        <li>Share the member sign-in link with your members.</li>
      </ol>
      <h3 className="mt-5 text-sm font-medium text-gray-900">Start with your provider’s guide</h3>
      <ul className="mt-2 flex flex-wrap gap-2">
        {PROVIDER_GUIDES.map((guide) => (
          <li key={guide.id}>
            <Link href={`${NEW_CONNECTION_PATH}?provider=${guide.id}`} className={buttonClasses('secondary', 'sm')}>
              {guide.name}
            </Link>
          </li>
        ))}
      </ul>
      <Link href={NEW_CONNECTION_PATH} className={`${buttonClasses('primary', 'md')} mt-5`}>
        Add connection
      </Link>
    </Card>
  );
}
