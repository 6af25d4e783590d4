/**
 * The console's OIDC callback addresses. Each connection has its own redirect URI,
 * `${APP_URL}/sso/callback/<key>`, so the address an IdP sends the browser back to names the connection whose
 * login it is: a code that one org's IdP issued cannot be carried to another org's connection through a shared
 * address (the IdP mix-up, where org B's authorize endpoint bounces a member to org A's IdP with the member's
 * state for org B). The bare `${APP_URL}/sso/callback` is the shared address older connections registered; it
 * keeps working for them.
 *
 * Browser-safe (no env access): the pages pass APP_URL in.
 */

/** What `<key>` may be: the service's rule for a per-connection redirect URI's last segment. */
export const CALLBACK_KEY_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export const SHARED_CALLBACK_PATH = '/sso/callback';

export function isCallbackKey(value: unknown): value is string {
  return typeof value === 'string' && CALLBACK_KEY_PATTERN.test(value);
}

/** `${appUrl}/sso/callback`: the shared address (legacy connections). */
export function sharedCallbackUrl(appUrl: string): string {
  return `${appUrl}${SHARED_CALLBACK_PATH}`;
}

/** `${appUrl}/sso/callback/<key>`: one connection's own address. */
export function perConnectionCallbackUrl(appUrl: string, key: string): string {
  if (!isCallbackKey(key)) throw new Error('A callback key is 8–64 letters, digits, "_" or "-"');
  return `${appUrl}${SHARED_CALLBACK_PATH}/${key}`;
}

/**
 * How a connection's registered redirect URI relates to this console: its own address (`own`), the shared one
 * (`shared`, it should move), or somewhere else (`other`, e.g. registered for another console through the API).
 */
export function callbackKind(appUrl: string, redirectUri: string): 'own' | 'shared' | 'other' {
  if (redirectUri === sharedCallbackUrl(appUrl)) return 'shared';
  const prefix = `${sharedCallbackUrl(appUrl)}/`;
  return redirectUri.startsWith(prefix) && isCallbackKey(redirectUri.slice(prefix.length)) ? 'own' : 'other';
}
