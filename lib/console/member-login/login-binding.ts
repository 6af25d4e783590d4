/**
 * Binds each SSO login to the browser that started it (login CSRF, scenario row 27).
 *
 * /sso/start sets a sealed cookie holding a hash of the Grantex `state` it is about to send the
 * browser to the IdP with, plus the org and mode. /sso/callback only calls Grantex when this
 * browser holds a binding for exactly that state. An attacker who delivers their own
 * `code`+`state` to a victim fails here: the victim's browser never started that login.
 *
 * The cookie name carries a short hash of the state so two logins in two tabs (a member login and
 * an admin's test sign-in) do not overwrite each other's binding.
 *
 * An OIDC binding also holds the `redirect_uri` of the authorization request (`ru`): the address the IdP must
 * send this login back to. A login that comes back to another address was bounced through another
 * connection's IdP (the IdP mix-up): the callback refuses it before Grantex sees the code.
 */
import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { seal, unseal } from './sealing';

export const BINDING_COOKIE_PREFIX = 'gx_sso_bind_';
/** Matches the state's own lifetime at Grantex (10 minutes). */
export const BINDING_TTL_SECONDS = 600;
/** Path-scoped: only /sso/* routes ever see the cookie. */
export const BINDING_COOKIE_PATH = '/sso';

/** `console`: an admin's console sign-in through SSO (the answer carries a console session, never a member's). */
export const loginModeSchema = z.enum(['member', 'test', 'console']);
export type LoginMode = z.infer<typeof loginModeSchema>;

const bindingSchema = z.object({
  sh: z.string().min(1),
  org: z.string().min(1).max(200),
  mode: loginModeSchema,
  adm: z.string().max(200).optional(),
  ru: z.string().max(4096).optional(),
});

export interface LoginBinding {
  org: string;
  mode: LoginMode;
  /** The admin who started a test sign-in; present only in test mode. */
  adminDeveloperId?: string;
  /** OIDC: the redirect URI the authorization request named (where the IdP sends the browser back). */
  redirectUri?: string;
}

function stateHash(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('base64url');
}

export function bindingCookieName(state: string): string {
  return BINDING_COOKIE_PREFIX + stateHash(state).slice(0, 16);
}

export async function createBinding(
  state: string,
  binding: LoginBinding,
  secret: string,
): Promise<{ name: string; value: string; maxAge: number }> {
  if (!state) throw new Error('Cannot bind a login without a state');
  if (binding.mode === 'test' && !binding.adminDeveloperId) throw new Error('A test sign-in needs the admin');
  const value = await seal(
    {
      sh: stateHash(state),
      org: binding.org,
      mode: binding.mode,
      ...(binding.mode === 'test' ? { adm: binding.adminDeveloperId } : {}),
      ...(binding.redirectUri ? { ru: binding.redirectUri } : {}),
    },
    { secret, purpose: 'login-binding', ttlSeconds: BINDING_TTL_SECONDS },
  );
  return { name: bindingCookieName(state), value, maxAge: BINDING_TTL_SECONDS };
}

export type BindingCheck =
  { ok: true; binding: LoginBinding } | { ok: false; reason: 'missing' | 'invalid' | 'mismatch' };

/**
 * `cookieValue` is the value of the cookie named `bindingCookieName(state)`. The hash inside is
 * still compared, so a binding cannot be moved to another cookie name to cover another state.
 */
export async function verifyBinding(
  state: string,
  cookieValue: string | undefined,
  secret: string,
): Promise<BindingCheck> {
  if (!state || !cookieValue) return { ok: false, reason: 'missing' };
  const payload = await unseal(cookieValue, { secret, purpose: 'login-binding', schema: bindingSchema });
  if (!payload) return { ok: false, reason: 'invalid' };
  const expected = Buffer.from(stateHash(state));
  const actual = Buffer.from(payload.sh);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'mismatch' };
  if (payload.mode === 'test' && !payload.adm) return { ok: false, reason: 'invalid' };
  return {
    ok: true,
    binding: {
      org: payload.org,
      mode: payload.mode,
      ...(payload.adm ? { adminDeveloperId: payload.adm } : {}),
      ...(payload.ru ? { redirectUri: payload.ru } : {}),
    },
  };
}

/**
 * The `state` Grantex put into the authorization URL (the only place the console learns it). For a SAML
 * connection the URL is the IdP's HTTP-Redirect binding (it carries `SAMLRequest`), and the state travels as
 * its `RelayState`, which the IdP posts back to the console's ACS route.
 */
export function stateFromAuthorizeUrl(authorizeUrl: string): string | null {
  try {
    const params = new URL(authorizeUrl).searchParams;
    const state = params.has('SAMLRequest') ? params.get('RelayState') : params.get('state');
    return state && state.length <= 4096 ? state : null;
  } catch {
    return null;
  }
}

/**
 * The `redirect_uri` of an OIDC authorization URL (null for SAML, whose ACS is its own route, and for a URL
 * without one).
 */
export function redirectUriFromAuthorizeUrl(authorizeUrl: string): string | null {
  try {
    const params = new URL(authorizeUrl).searchParams;
    if (params.has('SAMLRequest')) return null;
    const uri = params.get('redirect_uri');
    return uri && uri.length <= 4096 ? uri : null;
  } catch {
    return null;
  }
}
