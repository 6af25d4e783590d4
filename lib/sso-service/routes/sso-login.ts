import type { FastifyInstance } from 'fastify';
import {
  DOMAIN_MESSAGES,
  emailDomainSchema,
  MESSAGES,
  type SsoDomainLoginResponse,
  type SsoLoginResponse,
  type SsoPublicConnection,
  type SsoPublicConnectionList,
} from '@/lib/contract';
import type { ServiceContext } from '../context';
import { ApiError, badRequest, notFound } from '../http/api-error';
import { hasUnsafeText } from '../http/text-rules';
import { redirectUriMismatch, type SsoConnection } from '../storage/types';
import type { RouteRateLimit } from './rate-limit-options';
import { answerWith, stringFields } from './schemas';

/**
 * Ids are short and plain; a longer org value, or one with control characters (PostgreSQL cannot even compare
 * text containing NUL), cannot name a developer and is not worth a query.
 */
const ORG_MAX = 128;

interface LoginQuery {
  org?: string;
  domain?: string;
  connection?: string;
  redirect_uri?: string;
}

const querystring = stringFields({ org: {}, domain: {}, connection: {}, redirect_uri: {} }, []);
const chooserQuerystring = stringFields({ org: {} }, ['org']);

/** A value that can name a row (an org or connection id); anything else reads as "no such thing". */
const usableId = (value: string) => value.length <= ORG_MAX && !hasUnsafeText(value);
/** An empty parameter means "not given" (SDKs send `domain=` when they have none). */
const given = (value: string | undefined): value is string => value !== undefined && value !== '';

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
 */
async function pickConnection(ctx: ServiceContext, q: LoginQuery): Promise<SsoConnection> {
  const { org, domain, connection } = q;
  if (!given(org)) {
    if (given(connection)) throw badRequest(DOMAIN_MESSAGES.connectionNeedsOrg);
    if (!given(domain)) throw badRequest(MESSAGES.orgRequired);
    const found = await ctx.store.findVerifiedDomainConnections(domainOf(domain), 2);
    if (found.length !== 1 || !found[0]) throw notFound(DOMAIN_MESSAGES.domainNotRoutable);
    return found[0];
  }
  if (given(connection) && given(domain)) throw badRequest(DOMAIN_MESSAGES.domainOrConnection);
  if (given(connection)) {
    const found = usableId(org) && usableId(connection) ? await ctx.store.getConnection(org, connection) : undefined;
    if (!found || found.status !== 'active') throw notFound(MESSAGES.connectionNotFound);
    return found;
  }
  if (given(domain)) {
    const wanted = domainOf(domain);
    const found = usableId(org) ? await ctx.store.findOrgDomainConnections(org, wanted, 2) : [];
    if (!found[0]) throw notFound(DOMAIN_MESSAGES.noConnectionForDomain(wanted));
    // Connection writes refuse a domain another connection of the org lists; two can only come from a race.
    if (found.length > 1) {
      throw new ApiError(409, 'CONFLICT', `Several active connections of this organization list ${wanted}; remove it from all but one`);
    }
    return found[0];
  }
  const found = usableId(org) ? await ctx.store.getDefaultConnection(org) : undefined;
  // `?org=` alone means the org's default connection; only an active one takes member logins.
  if (!found || found.status !== 'active') throw notFound(MESSAGES.ssoNotConfigured);
  return found;
}

export function registerSsoLoginRoute(app: FastifyInstance, ctx: ServiceContext, rateLimit: RouteRateLimit) {
  // Hot path: one indexed read (see pickConnection), one AES-GCM seal, no DB write (the state carries everything).
  app.get<{ Querystring: LoginQuery }>(
    '/sso/login',
    {
      config: { rateLimit },
      schema: { querystring },
      // A repeated parameter.
      schemaErrorFormatter: answerWith((e) =>
        e.instancePath === '/org' || e.instancePath === '' ? MESSAGES.orgRequired : `${e.instancePath.slice(1)} must be given at most once`,
      ),
    },
    async (request) => {
      const connection = await pickConnection(ctx, request.query);
      const redirectUri = request.query.redirect_uri;
      // An empty redirect_uri means "not given": the configured URI is always the one sent to the IdP.
      if (redirectUriMismatch(connection, redirectUri)) {
        throw badRequest('redirect_uri does not match the redirect URI configured for this org');
      }
      const login = ctx.states.issue(connection.developerId, connection.id);
      const authorizeUrl = await ctx.protocols[connection.protocol].startLogin(connection, login);
      const body: SsoLoginResponse = { authorizeUrl, protocol: connection.protocol, connectionId: connection.id };
      // Routed by domain alone: the caller named no org, so the answer says which one (a login binds to it).
      if (!given(request.query.org)) return { ...body, developerId: connection.developerId } satisfies SsoDomainLoginResponse;
      return body;
    },
  );

  // The member's chooser: the names of the org's active connections (ours). Unknown org: the login's 404.
  app.get<{ Querystring: { org: string } }>(
    '/sso/connections',
    {
      config: { rateLimit },
      schema: { querystring: chooserQuerystring },
      schemaErrorFormatter: answerWith(() => MESSAGES.orgRequired),
    },
    async (request) => {
      const { org } = request.query;
      const [all, developer] = usableId(org) ? await Promise.all([ctx.store.listConnections(org), ctx.store.getDeveloper(org)]) : [[], undefined];
      const connections: SsoPublicConnection[] = all
        .filter((c) => c.status === 'active')
        .map((c) => ({ id: c.id, name: c.name, protocol: c.protocol }));
      if (connections.length === 0 || !developer) throw notFound(MESSAGES.ssoNotConfigured);
      // The org's name (given at signup) lets the login page say whose sign-in it is: a member lured to another
      // org's login page sees a name that is not their company's.
      const body: SsoPublicConnectionList = { connections, organization: { id: developer.id, name: developer.name } };
      return body;
    },
  );
}
