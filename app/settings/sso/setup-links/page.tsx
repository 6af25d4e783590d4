/**
 * The admin's setup links: create one for the customer's IT admin (its URL is shown once), see each link's
 * status and who used it when, and revoke it (after a confirmation step that works without JavaScript).
 */
import { RoleGate } from '@/components/sso/role-gate';
import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdmin } from '@/lib/auth';
import type { SetupLink } from '@/lib/contract';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { grantexForAdmin } from '@/lib/grantex/server';
import { SETUP_LINK_TEXT } from '@/lib/console/messages';
import { Alert, Badge, Card, PageHeader, type BadgeTone } from '@/components/ui';
import { formatTime } from '@/components/sso/format-time';
import { CreateSetupLinkForm } from './create-form';
import { RevokeForm } from './revoke-form';

export const metadata: Metadata = { title: 'Setup links' };
export const dynamic = 'force-dynamic';

const STATUS_TONE: Record<SetupLink['status'], BadgeTone> = { active: 'success', expired: 'neutral', revoked: 'error' };

function LinkRow({ link, confirming }: { link: SetupLink; confirming: boolean }) {
  const title = link.label ?? 'Setup link';
  return (
    <li className="space-y-3 py-4" aria-label={title}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <p className="font-medium text-gray-900">{title}</p>
          <p className="text-xs text-gray-600">
            Created <time dateTime={link.createdAt}>{formatTime(link.createdAt)}</time> ·{' '}
            {link.revokedAt ? (
              <>
                revoked <time dateTime={link.revokedAt}>{formatTime(link.revokedAt)}</time>
              </>
            ) : (
              <>
                {link.status === 'expired' ? 'expired' : 'expires'}{' '}
                <time dateTime={link.expiresAt}>{formatTime(link.expiresAt)}</time>
              </>
            )}
          </p>
        </div>
        <div className="flex items-center gap-3">
          <Badge tone={STATUS_TONE[link.status]}>{link.status}</Badge>
          {link.status === 'active' && !confirming ? (
            <Link
              href={`/settings/sso/setup-links?confirm=${encodeURIComponent(link.id)}`}
              className="text-sm font-medium text-red-700 hover:underline"
            >
              Revoke<span className="sr-only"> {title}</span>
            </Link>
          ) : null}
        </div>
      </div>
      {confirming ? (
        <div className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">
          <p className="mb-3">
            Revoke “{title}”? Anyone using it is refused at their next step, and the link cannot be used again. What
            they already saved stays.
          </p>
          <RevokeForm id={link.id} />
        </div>
      ) : null}
      {link.uses.length ? (
        <div>
          <p className="text-xs font-medium text-gray-600">Used by</p>
          <ul className="mt-1 space-y-1 text-sm text-gray-800">
            {link.uses.map((use) => (
              <li key={`${use.usedAt}-${use.email}`}>
                {use.name} ({use.email}) — <time dateTime={use.usedAt}>{formatTime(use.usedAt)}</time>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="text-xs text-gray-600">Not used yet.</p>
      )}
    </li>
  );
}

export default async function SetupLinksPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const admin = await requireAdmin('/settings/sso/setup-links');
  const query = await searchParams;
  let links: SetupLink[] = [];
  let loadError: string | null = null;
  try {
    links = await grantexForAdmin(admin).sso.setupLinks.list();
  } catch (err) {
    loadError = describeGrantexError(err);
  }
  const confirm = typeof query.confirm === 'string' ? query.confirm : null;

  return (
    <div className="space-y-8">
      <PageHeader
        title="Setup links"
        description={`Let your customer’s IT admin ${SETUP_LINK_TEXT.allows}, without an API key. ${SETUP_LINK_TEXT.denies}`}
      />
      {query.revoked === '1' ? <Alert tone="success">{SETUP_LINK_TEXT.revoked}</Alert> : null}
      {loadError ? (
        <Alert tone="error" title="The setup links could not be loaded">
          {loadError}
        </Alert>
      ) : null}
      <Card
        title="Create a setup link"
        description="Links expire after the time you choose (at most 7 days) and can be revoked at any time."
      >
        <RoleGate permission="createSetupLink" role={admin.role}>
          <CreateSetupLinkForm />
        </RoleGate>
      </Card>
      <Card title="Your setup links" description="Newest first, with who used each link and when.">
        {links.length ? (
          <RoleGate permission="revokeSetupLink" role={admin.role}>
            <ul className="divide-y divide-gray-200">
              {links.map((link) => (
                <LinkRow key={link.id} link={link} confirming={confirm === link.id && link.status === 'active'} />
              ))}
            </ul>
          </RoleGate>
        ) : !loadError ? (
          <p className="text-sm text-gray-600">No setup links yet.</p>
        ) : null}
      </Card>
    </div>
  );
}
