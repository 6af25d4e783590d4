import type { FastifyInstance } from 'fastify';
import { MESSAGES, type SsoLoginResponse } from '@/lib/contract';
import type { ServiceContext } from '../context';
import { badRequest, notFound } from '../http/api-error';
import { hasUnsafeText } from '../http/text-rules';
import type { RouteRateLimit } from './rate-limit-options';
import { answerWith, stringFields } from './schemas';

/**
 * Ids are short and plain; a longer org value, or one with control characters (PostgreSQL cannot even compare
 * text containing NUL), cannot name a developer and is not worth a query.
 */
const ORG_MAX = 128;

interface LoginQuery {
  org: string;
  redirect_uri?: string;
}

const querystring = stringFields({ org: {}, redirect_uri: {} }, ['org']);

export function registerSsoLoginRoute(app: FastifyInstance, ctx: ServiceContext, rateLimit: RouteRateLimit) {
  // Hot path: one indexed read (the default connection), one AES-GCM seal, no DB write (the state carries everything).
  app.get<{ Querystring: LoginQuery }>(
    '/sso/login',
    {
      config: { rateLimit },
      schema: { querystring },
      // A missing, empty or repeated org, or a repeated redirect_uri.
      schemaErrorFormatter: answerWith((e) =>
        e.instancePath === '/redirect_uri' ? 'redirect_uri must be given at most once' : MESSAGES.orgRequired,
      ),
    },
    async (request) => {
      const { org, redirect_uri: redirectUri } = request.query;
      const connection = org.length <= ORG_MAX && !hasUnsafeText(org) ? await ctx.store.getDefaultConnection(org) : undefined;
      // `?org=` alone means the org's default connection; only an active one takes member logins.
      if (!connection || connection.status !== 'active') throw notFound(MESSAGES.ssoNotConfigured);
      // An empty redirect_uri means "not given": the configured URI is always the one sent to the IdP.
      if (redirectUri !== undefined && redirectUri !== '' && redirectUri !== connection.oidc.redirectUri) {
        throw badRequest('redirect_uri does not match the redirect URI configured for this org');
      }
      const login = ctx.states.issue(connection.developerId, connection.id);
      const authorizeUrl = await ctx.protocols[connection.protocol].startLogin(connection, login);
      const body: SsoLoginResponse = { authorizeUrl, protocol: connection.protocol, connectionId: connection.id };
      return body;
    },
  );
}
