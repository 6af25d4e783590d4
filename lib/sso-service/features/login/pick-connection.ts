/** Which connection a login starts on, from the login URL's org, domain and connection parameters. */
import {
  DOMAIN_MESSAGES,
  emailDomainSchema,
  ID_MAX,
  MESSAGES,
  type SsoLoginRequestQuery,
  type SsoPublicConnection,
  type SsoPublicConnectionList,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { ApiError, badRequest, notFound, reasonError } from '../../http/api-error';
import { hasUnsafeText } from '../../http/text-rules';
import type { SsoConnection } from '../../storage/types';

/**
 * A value that can name a row (an org or connection id); anything else reads as "no such thing": a longer value,
 * or one with control characters (PostgreSQL cannot even compare text containing NUL), is not worth a query.
 */
export const usableId = (value: string) => value.length <= ID_MAX && !hasUnsafeText(value);
/** An empty parameter means "not given" (SDKs send `domain=` when they have none). */
export const given = (value: string | undefined): value is string => value !== undefined && value !== '';

function domainOf(value: string): string {
  const parsed = emailDomainSchema.safeParse(value);
  if (!parsed.success) throw badRequest(DOMAIN_MESSAGES.domainInvalid);
  return parsed.data;
}

/**
 * Which connection a login starts on. Each branch is one indexed read and writes nothing:
 * - `org` alone: the org's default connection (the legacy contract);
 * - `org` + `connection`: that connection of the org (the member's chooser);
 * - `org` + `domain`: the org's one active connection that lists the domain (what the SDKs send; no
 *   verification needed since the org is named), never another connection as a fallback;
 * - `domain` alone: only a domain VERIFIED by an org, listed by exactly one of its active connections; every
 *   other case gets one answer that does not say whether some org owns the domain.
 * `orgEnforces`: the org's own SSO enforcement, carried by the read that found the connection (all but `connection=`).
 */
export async function pickConnection(
  ctx: ServiceContext,
  q: SsoLoginRequestQuery,
): Promise<{ connection: SsoConnection; orgEnforces?: boolean }> {
  const { org, domain, connection } = q;
  if (!given(org)) {
    if (given(connection)) throw badRequest(DOMAIN_MESSAGES.connectionNeedsOrg);
    if (!given(domain)) throw reasonError('org_required');
    const found = await ctx.store.findVerifiedDomainConnections(domainOf(domain), 2);
    if (found.length !== 1 || !found[0]) throw notFound(DOMAIN_MESSAGES.domainNotRoutable);
    return found[0];
  }
  if (given(connection) && given(domain)) throw badRequest(DOMAIN_MESSAGES.domainOrConnection);
  if (given(connection)) {
    const found = usableId(org) && usableId(connection) ? await ctx.store.getConnection(org, connection) : undefined;
    if (!found || found.status !== 'active') throw notFound(MESSAGES.connectionNotFound);
    return { connection: found };
  }
  if (given(domain)) {
    const wanted = domainOf(domain);
    const found = usableId(org) ? await ctx.store.findOrgDomainConnections(org, wanted, 2) : [];
    if (!found[0]) throw notFound(DOMAIN_MESSAGES.noConnectionForDomain(wanted));
    // Connection writes refuse a domain another connection of the org lists; two can only come from a race.
    if (found.length > 1) {
      throw new ApiError(
        409,
        'CONFLICT',
        `Several active connections of this organization list ${wanted}; remove it from all but one`,
      );
    }
    return found[0];
  }
  const found = usableId(org) ? await ctx.store.getDefaultConnectionForLogin(org) : undefined;
  // `?org=` alone means the org's default connection; only an active one takes member logins.
  if (!found || found.connection.status !== 'active')
    throw reasonError('sso_not_configured', { status: 404, code: 'NOT_FOUND' });
  return found;
}

/** The member's chooser: the names of the org's active connections (ours), and the org's name. Unknown org: the login's 404. */
export async function publicConnections(ctx: ServiceContext, org: string): Promise<SsoPublicConnectionList> {
  const [all, developer] = usableId(org)
    ? await Promise.all([ctx.store.listConnections(org), ctx.store.getDeveloper(org)])
    : [[], undefined];
  const connections: SsoPublicConnection[] = all
    .filter((c) => c.status === 'active')
    .map((c) => ({ id: c.id, name: c.name, protocol: c.protocol }));
  if (connections.length === 0 || !developer)
    throw reasonError('sso_not_configured', { status: 404, code: 'NOT_FOUND' });
  // The org's name (given at signup) lets the login page say whose sign-in it is: a member lured to another
  // org's login page sees a name that is not their company's.
  return { connections, organization: { id: developer.id, name: developer.name } };
}
