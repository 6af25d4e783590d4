/**
 * The console's SAML ACS URL (app/sso/callback/saml): where a SAML connection made in this console has its IdP
 * post the response, so member and test sign-ins end here like OIDC ones do. `?connection=` names the connection
 * for IdP-initiated responses (SP-initiated ones are routed by their RelayState).
 */
import 'server-only';
import { env } from '@/lib/env';

export const SAML_ACS_PATH = '/sso/callback/saml';

export function consoleSamlAcsUrl(connectionId?: string): string {
  const base = `${env().APP_URL}${SAML_ACS_PATH}`;
  return connectionId === undefined ? base : `${base}?connection=${encodeURIComponent(connectionId)}`;
}

/** Whether a connection's ACS URL is this console's (with or without its `?connection=`). */
export function isConsoleSamlAcsUrl(acsUrl: string): boolean {
  try {
    const url = new URL(acsUrl);
    return `${url.origin}${url.pathname}` === consoleSamlAcsUrl();
  } catch {
    return false;
  }
}
