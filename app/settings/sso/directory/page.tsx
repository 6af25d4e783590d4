/**
 * Directory sync (SCIM): the SCIM base URL and tokens (create, copy once, revoke, last used), which connections
 * take directory users only, the provisioned people and groups (search, state, paging), and where to paste the
 * URL and token in each identity provider. The API-key admin and the setup-link IT admin both use it.
 */
import { RoleGate } from '@/components/sso/role-gate';
import type { Metadata } from 'next';
import Link from 'next/link';
import { requireConnectionsActor } from '@/lib/auth/connections-actor';
import type { DirectoryGroupList, DirectoryUserList, ScimToken, SsoConnection } from '@/lib/contract';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { DIRECTORY_GUIDES, DIRECTORY_TEXT } from '@/lib/console/messages';
import { DIRECTORY_PATH } from '@/lib/console/settings/paths';
import { Alert, Badge, Card, CodeValue, PageHeader, buttonClasses } from '@/components/ui';
import { formatTime } from '@/components/sso/format-time';
import { CreateTokenForm } from './create-token-form';
import { DirectoryOnlyForm, RevokeTokenForm } from './token-forms';

export const metadata: Metadata = { title: 'Directory sync' };
export const dynamic = 'force-dynamic';

const PAGE_SIZE = 50;

type Query = Record<string, string | string[] | undefined>;
const one = (q: Query, key: string) => (typeof q[key] === 'string' ? (q[key] as string) : undefined);

function TokenRow({
  token,
  connectionName,
  confirming,
}: {
  token: ScimToken;
  connectionName: string | null;
  confirming: boolean;
}) {
  return (
    <li className="space-y-3 py-4" aria-label={token.label}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <p className="font-medium text-gray-900">{token.label}</p>
          <p className="text-xs text-gray-600">
            {connectionName ? `Members sign in through ${connectionName}` : 'Any connection of this organization'} ·
            created <time dateTime={token.createdAt}>{formatTime(token.createdAt)}</time> ·{' '}
            {token.lastUsedAt ? (
              <>
                last used <time dateTime={token.lastUsedAt}>{formatTime(token.lastUsedAt)}</time>
              </>
            ) : (
              'not used yet'
            )}
          </p>
        </div>
        {!confirming ? (
          <Link
            href={`${DIRECTORY_PATH}?confirm=${encodeURIComponent(token.id)}`}
            className="text-sm font-medium text-red-700 hover:underline"
          >
            Revoke<span className="sr-only"> {token.label}</span>
          </Link>
        ) : null}
      </div>
      {confirming ? (
        <div className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">
          <p className="mb-3">
            Revoke “{token.label}”? The identity provider’s next provisioning request is refused. People and groups it
            provisioned stay as they are.
          </p>
          <RevokeTokenForm id={token.id} />
        </div>
      ) : null}
    </li>
  );
}

function pageLinks(total: number, startIndex: number, params: URLSearchParams, key: string) {
  const link = (start: number) => {
    const next = new URLSearchParams(params);
    next.set(key, String(start));
    return `${DIRECTORY_PATH}?${next.toString()}`;
  };
  const prev = startIndex > 1 ? link(Math.max(1, startIndex - PAGE_SIZE)) : null;
  const next = startIndex + PAGE_SIZE <= total ? link(startIndex + PAGE_SIZE) : null;
  if (!prev && !next) return null;
  return (
    <nav aria-label="Pages" className="mt-3 flex gap-4 text-sm">
      {prev ? (
        <Link href={prev} className="font-medium text-indigo-700 hover:underline">
          Previous
        </Link>
      ) : null}
      {next ? (
        <Link href={next} className="font-medium text-indigo-700 hover:underline">
          Next
        </Link>
      ) : null}
    </nav>
  );
}

export default async function DirectorySyncPage({ searchParams }: { searchParams: Promise<Query> }) {
  const actor = await requireConnectionsActor(DIRECTORY_PATH);
  const query = await searchParams;
  const search = one(query, 'search')?.slice(0, 200) ?? '';
  const state = one(query, 'state');
  const userStart = Math.max(1, Number.parseInt(one(query, 'users') ?? '1', 10) || 1);
  const groupStart = Math.max(1, Number.parseInt(one(query, 'groups') ?? '1', 10) || 1);
  const client = actor.grantex();

  let tokens: ScimToken[] = [];
  let scimBaseUrl: string | null = null;
  let connections: SsoConnection[] = [];
  let users: DirectoryUserList = { users: [], totalResults: 0, startIndex: 1 };
  let groups: DirectoryGroupList = { groups: [], totalResults: 0, startIndex: 1 };
  let loadError: string | null = null;
  try {
    const [tokenList, connectionList, userList, groupList] = await Promise.all([
      client.scim.listTokensWithBaseUrl(),
      client.sso.connections.list(),
      client.scim.listDirectoryUsers({
        ...(search ? { search } : {}),
        ...(state === 'active' || state === 'inactive' ? { state } : {}),
        startIndex: userStart,
        count: PAGE_SIZE,
      }),
      client.scim.listDirectoryGroups({ startIndex: groupStart, count: PAGE_SIZE }),
    ]);
    tokens = tokenList.tokens;
    scimBaseUrl = tokenList.scimBaseUrl ?? null;
    connections = connectionList;
    users = userList;
    groups = groupList;
  } catch (err) {
    loadError = describeGrantexError(err);
  }
  const names = new Map(connections.map((c) => [c.id, c.name]));
  const confirm = one(query, 'confirm');
  const params = new URLSearchParams();
  if (search) params.set('search', search);
  if (state) params.set('state', state);

  return (
    <div className="space-y-8">
      <PageHeader title="Directory sync" description={DIRECTORY_TEXT.intro} />
      {one(query, 'revoked') === '1' ? <Alert tone="success">{DIRECTORY_TEXT.revoked}</Alert> : null}
      {loadError ? (
        <Alert tone="error" title="Directory sync could not be loaded">
          {loadError}
        </Alert>
      ) : null}

      <Card
        title="Connect your directory"
        description="Create a token, then paste the SCIM base URL and the token into your identity provider's provisioning settings."
      >
        {scimBaseUrl ? (
          <div className="mb-5">
            <p className="mb-1 text-sm font-medium text-gray-900">SCIM base URL</p>
            <CodeValue value={scimBaseUrl} copyLabel="Copy SCIM base URL" id="scim-base-url" />
          </div>
        ) : null}
        <RoleGate permission="createScimToken" role={actor.role}>
          <CreateTokenForm connections={connections.map((c) => ({ id: c.id, name: c.name }))} />
        </RoleGate>
      </Card>

      <Card
        title="SCIM tokens"
        description="Tokens your identity providers provision with. The token itself is never shown again."
      >
        {tokens.length ? (
          <RoleGate permission="revokeScimToken" role={actor.role}>
            <ul className="divide-y divide-gray-200">
              {tokens.map((t) => (
                <TokenRow
                  key={t.id}
                  token={t}
                  connectionName={t.connectionId ? (names.get(t.connectionId) ?? t.connectionId) : null}
                  confirming={confirm === t.id}
                />
              ))}
            </ul>
          </RoleGate>
        ) : !loadError ? (
          <p className="text-sm text-gray-600">{DIRECTORY_TEXT.noTokens}</p>
        ) : null}
      </Card>

      {connections.length ? (
        <Card
          title="Who may sign in"
          description="With “directory users only”, a connection takes only people the directory provisioned and keeps active, and their directory groups decide their scopes. Otherwise anyone the identity provider vouches for signs in, and the directory only takes access away."
        >
          <RoleGate permission="setDirectoryUsersOnly" role={actor.role}>
            <div className="divide-y divide-gray-200">
              {connections.map((c) => (
                <DirectoryOnlyForm key={c.id} connectionId={c.id} name={c.name} on={c.directoryUsersOnly === true} />
              ))}
            </div>
          </RoleGate>
        </Card>
      ) : null}

      <Card title="People" description={`${users.totalResults} provisioned, oldest first.`}>
        <form method="get" action={DIRECTORY_PATH} className="mb-4 flex flex-wrap items-end gap-3" role="search">
          <label className="text-sm text-gray-900">
            <span className="mb-1 block font-medium">Search</span>
            <input
              name="search"
              defaultValue={search}
              maxLength={200}
              placeholder="name or email"
              className="rounded-md border border-gray-300 px-3 py-2 text-sm"
            />
          </label>
          <label className="text-sm text-gray-900">
            <span className="mb-1 block font-medium">State</span>
            <select
              name="state"
              defaultValue={state ?? ''}
              className="rounded-md border border-gray-300 px-3 py-2 text-sm"
            >
              <option value="">All</option>
              <option value="active">Active</option>
              <option value="inactive">Deactivated</option>
            </select>
          </label>
          <button type="submit" className={buttonClasses('secondary', 'md')}>
            Filter
          </button>
        </form>
        {users.users.length ? (
          <table className="w-full text-left text-sm">
            <thead className="text-xs text-gray-600">
              <tr>
                <th scope="col" className="py-2">
                  Person
                </th>
                <th scope="col">State</th>
                <th scope="col">Groups</th>
                <th scope="col">Directory</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-200">
              {users.users.map((u) => (
                <tr key={u.id}>
                  <td className="py-2">
                    <span className="block font-medium text-gray-900">{u.displayName ?? u.userName}</span>
                    <span className="text-xs text-gray-600">{u.email ?? u.userName}</span>
                  </td>
                  <td>
                    <Badge tone={u.active ? 'success' : 'error'}>{u.active ? 'active' : 'deactivated'}</Badge>
                  </td>
                  <td className="text-gray-800">{u.groups.join(', ') || '—'}</td>
                  <td className="text-gray-800">
                    {u.connectionId ? (names.get(u.connectionId) ?? u.connectionId) : 'All connections'}
                  </td>
                  <td>
                    <time dateTime={u.updatedAt}>{formatTime(u.updatedAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : !loadError ? (
          <p className="text-sm text-gray-600">{DIRECTORY_TEXT.noUsers}</p>
        ) : null}
        {pageLinks(users.totalResults, userStart, params, 'users')}
      </Card>

      <Card title="Groups" description={`${groups.totalResults} provisioned.`}>
        {groups.groups.length ? (
          <ul className="divide-y divide-gray-200 text-sm">
            {groups.groups.map((g) => (
              <li key={g.id} className="flex flex-wrap justify-between gap-3 py-2">
                <span className="font-medium text-gray-900">{g.displayName}</span>
                <span className="text-gray-600">
                  {g.memberCount} {g.memberCount === 1 ? 'member' : 'members'} · updated{' '}
                  <time dateTime={g.updatedAt}>{formatTime(g.updatedAt)}</time>
                </span>
              </li>
            ))}
          </ul>
        ) : !loadError ? (
          <p className="text-sm text-gray-600">{DIRECTORY_TEXT.noGroups}</p>
        ) : null}
        {pageLinks(groups.totalResults, groupStart, params, 'groups')}
      </Card>

      <Card title="Set up your identity provider" description="Where the SCIM base URL and the token go.">
        <div className="space-y-2">
          {DIRECTORY_GUIDES.map((guide) => (
            <details key={guide.id} className="rounded-md border border-gray-200 p-3">
              <summary className="cursor-pointer font-medium text-gray-900">{guide.name}</summary>
              <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm text-gray-800">
                {guide.steps.map((step) => (
                  <li key={step}>{step}</li>
                ))}
              </ol>
            </details>
          ))}
        </div>
      </Card>
    </div>
  );
}
