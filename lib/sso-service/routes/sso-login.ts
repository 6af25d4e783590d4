import type { FastifyInstance } from 'fastify';
import { MESSAGES, type SsoLoginResponse } from '@/lib/contract';
import type { ServiceContext } from '../context';
import { badRequest, notFound } from '../http/api-error';
import { hasUnsafeText } from '../http/text-rules';
import type { RouteRateLimit } from './rate-limit-options';
import { rpClientConfig, ssoErrorFrom } from './relying-party-calls';
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
  // Hot path: one indexed read, one AES-GCM seal, no DB write (the state carries everything).
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
      const config = org.length <= ORG_MAX && !hasUnsafeText(org) ? await ctx.store.getSsoConfig(org) : undefined;
      if (!config) throw notFound(MESSAGES.ssoNotConfigured);
      // An empty redirect_uri means "not given": the configured URI is always the one sent to the IdP.
      if (redirectUri !== undefined && redirectUri !== '' && redirectUri !== config.redirectUri) {
        throw badRequest('redirect_uri does not match the redirect URI configured for this org');
      }
      const { token, state } = ctx.states.issue(config.developerId);
      let authorizeUrl: string;
      try {
        authorizeUrl = await ctx.rp.authorizationUrl(rpClientConfig(ctx, config), {
          state: token,
          nonce: state.nonce,
          codeVerifier: state.cv,
        });
      } catch (err) {
        throw ssoErrorFrom(err) ?? err;
      }
      const body: SsoLoginResponse = { authorizeUrl, protocol: 'oidc', connectionId: config.connectionId };
      return body;
    },
  );
}
