import type { FastifyInstance } from 'fastify';
import { MESSAGES, type SsoLoginResponse } from '@/lib/contract';
import type { ServiceContext } from '../context';
import { badRequest, notFound } from '../http/api-error';
import { rpClientConfig, ssoErrorFrom } from './relying-party-calls';
import type { RouteRateLimit } from './rate-limit-options';

/** Ids are short; a longer org value cannot name a developer and is not worth a query. */
const ORG_MAX = 128;

type LoginQuery = { org?: unknown; redirect_uri?: unknown };

export function registerSsoLoginRoute(app: FastifyInstance, ctx: ServiceContext, rateLimit: RouteRateLimit) {
  // Hot path: one indexed read, one AES-GCM decrypt and seal, no DB write (the state carries everything).
  app.get('/sso/login', { config: { rateLimit } }, async (request) => {
    const { org, redirect_uri: redirectUri } = request.query as LoginQuery;
    if (typeof org !== 'string' || org.length === 0) throw badRequest(MESSAGES.orgRequired);
    const row = org.length <= ORG_MAX ? ctx.store.getSsoConfig(org) : undefined;
    if (!row) throw notFound(MESSAGES.ssoNotConfigured);
    // An empty redirect_uri means "not given": the configured URI is always the one sent to the IdP.
    if (redirectUri !== undefined && redirectUri !== '' && redirectUri !== row.redirect_uri) {
      throw badRequest('redirect_uri does not match the redirect URI configured for this org');
    }
    const { token, state } = ctx.states.issue(row.developer_id);
    let authorizeUrl: string;
    try {
      authorizeUrl = await ctx.rp.authorizationUrl(rpClientConfig(ctx, row), {
        state: token,
        nonce: state.nonce,
        codeVerifier: state.cv,
      });
    } catch (err) {
      throw ssoErrorFrom(err) ?? err;
    }
    const body: SsoLoginResponse = { authorizeUrl, protocol: 'oidc', connectionId: row.connection_id };
    return body;
  });
}
