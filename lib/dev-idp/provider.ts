import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import Provider, { interactionPolicy, type Configuration, type JWK, type KoaContextWithOIDC } from 'oidc-provider';
import { redirectUriMatcher } from './config';
import { escapeHtml, page } from './html';
import { findUserBySub } from './users';

export interface DevClient {
  clientId: string;
  clientSecret: string;
  /** Exact URIs and `<prefix>/*` entries for the console's per-connection callbacks (config.ts, redirectUriMatcher). */
  redirectUris: string[];
}

const SCOPE = 'openid email profile';

/** A fresh RS256 key per process: tokens from a previous run simply stop verifying, which is fine for dev. */
function generateSigningKey(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid: `dev-${randomUUID().slice(0, 8)}`, alg: 'RS256', use: 'sig' };
}

/**
 * First-party dev client, so consent is implied: the grant covers everything the IdP offers
 * (the skip-consent recipe from oidc-provider's docs). Only created once a user has logged in.
 */
async function loadExistingGrant(ctx: KoaContextWithOIDC) {
  const { client, session, result, provider } = ctx.oidc;
  if (!client || !session) return undefined;
  const grantId = (result?.consent as { grantId?: string } | undefined)?.grantId ?? session.grantIdFor(client.clientId);
  if (grantId) {
    const existing = await provider.Grant.find(grantId);
    if (existing) return existing;
  }
  if (!session.accountId) return undefined;
  const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(SCOPE);
  await grant.save();
  return grant;
}

/**
 * Shows the login page on every authorization request, even with a live IdP session: developers and
 * e2e tests switch between demo users in one browser, and a silent SSO re-login would hide that choice.
 */
function alwaysAskPolicy(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  const { Check } = interactionPolicy;
  policy
    .get('login')
    ?.checks.add(
      new Check('dev_idp_always_ask', 'the dev IdP asks who is signing in every time', (ctx) =>
        ctx.oidc.route.endsWith('resume') && ctx.oidc.result?.login ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT,
      ),
    );
  return policy;
}

/** The console's post-logout landing page (its POST_LOGOUT_PATH), below each console origin the client serves. */
const POST_LOGOUT_PATH = '/member/signed-out';

function postLogoutRedirectUris(redirectUris: readonly string[]): string[] {
  const origins = new Set<string>();
  for (const uri of redirectUris) {
    const bare = uri.endsWith('/*') ? uri.slice(0, -2) : uri;
    if (URL.canParse(bare)) origins.add(new URL(bare).origin);
  }
  return [...origins].map((origin) => `${origin}${POST_LOGOUT_PATH}`);
}

export function createDevProvider(issuer: string, client: DevClient): Provider {
  const redirects = redirectUriMatcher(client.redirectUris);
  const configuration: Configuration = {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        client_name: 'Grantex SSO Console',
        // oidc-provider wants at least one registered URI; the check itself is redirects.allows (below).
        redirect_uris:
          redirects.exact.length > 0
            ? redirects.exact
            : [(redirects.prefixes[0] ?? `${issuer}/callback/`).slice(0, -1)],
        // RP-initiated logout (the end_session_endpoint) sends the member back to the console's signed-out page.
        post_logout_redirect_uris: postLogoutRedirectUris(client.redirectUris),
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    // Basic and post are interchangeable for a secret client in oidc-provider; advertise only these two.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
    },
    // Put the scope-requested claims into the ID token too: the console reads identity from it.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, sub) => {
      const user = findUserBySub(sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        claims: async () => ({
          sub: user.sub,
          email: user.email,
          email_verified: user.emailVerified,
          name: user.name,
          groups: [...user.groups],
        }),
      };
    },
    loadExistingGrant,
    jwks: { keys: [generateSigningKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      // A code-flow-only IdP for the console; nothing else is needed.
      introspection: { enabled: false },
      revocation: { enabled: false },
      // RP-initiated logout: its confirmation page in the dev IdP's own look (a form, so it works without JavaScript).
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = page(
            'Sign out',
            `<h1>Sign out of the dev IdP?</h1>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button> <button type="submit" form="op.logoutForm">No, stay signed in</button>`,
          );
        },
      },
    },
    interactions: {
      policy: alwaysAskPolicy(),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    pkce: { required: () => false },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in error',
        `<h1>Sign-in error</h1><p class="error" role="alert">${escapeHtml(out.error)}: ${escapeHtml(out.error_description ?? '')}</p>`,
      );
    },
  };
  const provider = new Provider(issuer, configuration);
  // The one place oidc-provider checks a redirect_uri against the client (authorization requests, and where an
  // error may be redirected); the token request compares with the code's own URI. Exact entries match exactly,
  // `/*` entries one per-connection key below their prefix.
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value: string) {
    return redirects.allows(value);
  };
  return provider;
}
