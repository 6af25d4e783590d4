/**
 * The console's OIDC callback addresses (the contract's rules, lib/contract/url-rules.ts). Each connection has
 * its own redirect URI, `${APP_URL}/sso/callback/<key>`, so the address an IdP sends the browser back to names
 * the connection whose login it is: a code that one org's IdP issued cannot be carried to another org's
 * connection through a shared address (the IdP mix-up, where org B's authorize endpoint bounces a member to org
 * A's IdP with the member's state for org B). The bare `${APP_URL}/sso/callback` is the shared address older
 * connections registered; it keeps working for them.
 */
import {
  CALLBACK_KEY_PATTERN,
  SHARED_CALLBACK_PATH,
  classifyConsoleRedirectUri,
  perConnectionRedirectUri,
  sharedRedirectUri,
} from '@/lib/contract/url-rules';

export { CALLBACK_KEY_PATTERN, SHARED_CALLBACK_PATH };

export function isCallbackKey(value: unknown): value is string {
  return typeof value === 'string' && CALLBACK_KEY_PATTERN.test(value);
}

/** `${appUrl}/sso/callback`: the shared address (legacy connections). */
export function sharedCallbackUrl(appUrl: string): string {
  return sharedRedirectUri(appUrl);
}

/** `${appUrl}/sso/callback/<key>`: one connection's own address. */
export function perConnectionCallbackUrl(appUrl: string, key: string): string {
  if (!isCallbackKey(key)) throw new Error('A callback key is 8–64 letters, digits, "_" or "-"');
  return perConnectionRedirectUri(appUrl, key);
}

/**
 * How a connection's registered redirect URI relates to this console: its own address (`own`), the shared one
 * (`shared`, it should move), or somewhere else (`other`, e.g. registered for another console through the API).
 */
export function callbackKind(appUrl: string, redirectUri: string): 'own' | 'shared' | 'other' {
  const found = classifyConsoleRedirectUri(appUrl, redirectUri);
  if (found.kind === 'shared') return redirectUri === sharedRedirectUri(appUrl) ? 'shared' : 'other';
  return found.kind === 'per_connection' && found.canonical === redirectUri ? 'own' : 'other';
}
