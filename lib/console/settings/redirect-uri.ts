/**
 * The redirect URIs the settings pages show: a new connection's own address (a fresh random key, made on the
 * server so no two forms share one) and, for a saved OIDC connection, what it is registered with and where it
 * should be (see lib/console/member-login/callback-address.ts).
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { env } from '@/lib/env';
import type { SsoConnection } from '@/lib/contract';
import {
  callbackKind,
  isCallbackKey,
  perConnectionCallbackUrl,
  sharedCallbackUrl,
} from '../member-login/callback-address';

/** `${APP_URL}/sso/callback/<16 random bytes, base64url>`. */
export function newConnectionRedirectUri(): string {
  return perConnectionCallbackUrl(env().APP_URL, randomBytes(16).toString('base64url'));
}

export interface RedirectUriView {
  /** What the connection is registered with (where its IdP sends members back today). */
  registered: string;
  kind: 'own' | 'shared' | 'other';
  /** The connection's own address at this console (what a `shared` connection moves to). */
  own: string | null;
  shared: string;
}

export function redirectUriView(connection: SsoConnection): RedirectUriView | null {
  if (connection.protocol !== 'oidc') return null;
  const appUrl = env().APP_URL;
  const kind = callbackKind(appUrl, connection.redirectUri);
  return {
    registered: connection.redirectUri,
    kind,
    own:
      kind === 'own'
        ? connection.redirectUri
        : isCallbackKey(connection.id)
          ? perConnectionCallbackUrl(appUrl, connection.id)
          : null,
    shared: sharedCallbackUrl(appUrl),
  };
}
