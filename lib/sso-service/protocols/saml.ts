/**
 * The SAML protocol behind the protocol seam (provisional: not registered in index.ts / app.ts yet).
 *
 * It has the LoginProtocol shape but is generic over the connection: `settingsOf` reads a connection's SAML
 * settings, so wiring it is binding C = SsoConnection once the connection model stores SAML fields, adding
 * 'saml' to ConnectionProtocol, `{protocol: 'saml', samlResponse, relayState}` to ProtocolResponse and
 * `{protocol: 'saml', ...}` to SettingsToCheck in types.ts.
 *
 * The AuthnRequest ID is derived from the sealed state's nonce, so /sso/login stores nothing and the ACS
 * checks InResponseTo against the state the RelayState carries back.
 */
import type { LoginState } from '../crypto/login-state';
import { ApiError } from '../http/api-error';
import {
  buildLoginUrl,
  certificateInfo,
  isSamlError,
  parseSamlSettings,
  validatePostResponse,
  type ClaimAssertionId,
  type SamlConnectionSettings,
  type SamlIdentity,
  type SpSigningKey,
} from '../saml';
import type { SealedLogin, SettingsCheck } from './types';

export interface SamlProtocolDeps<C> {
  settingsOf(connection: C): SamlConnectionSettings;
  /** Single use of assertion IDs (storage-backed in the service). */
  claimAssertionId: ClaimAssertionId;
  /** The service's SP signing key, for connections that sign AuthnRequests. */
  signingKey?: SpSigningKey;
}

export interface SamlProtocolResponse {
  protocol: 'saml';
  samlResponse: string;
}

export type SamlSettingsToCheck = { protocol: 'saml' } & SamlConnectionSettings;

export interface SamlLoginProtocol<C> {
  readonly protocol: 'saml';
  startLogin(connection: C, login: SealedLogin): Promise<string>;
  /** The member, with everything the assertion said (groups for the scope mapping, session index, …). */
  completeLogin(connection: C, login: SealedLogin, response: SamlProtocolResponse): Promise<SamlIdentity>;
  checkSettings(settings: SamlSettingsToCheck): Promise<SettingsCheck>;
}

/** The AuthnRequest ID for a login: the state's nonce (base64url, so a valid XML ID after the leading underscore). */
export function samlRequestId(state: Pick<LoginState, 'nonce'>): string {
  return `_${state.nonce}`;
}

/** A SamlError becomes an SSO_ERROR with its safe message (413 for an oversized response, 400 otherwise). */
function ssoErrorFrom(err: unknown): unknown {
  if (!isSamlError(err)) return err;
  return new ApiError(err.reason === 'response_too_large' ? 413 : 400, 'SSO_ERROR', err.message);
}

async function samlCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw ssoErrorFrom(err);
  }
}

export function createSamlProtocol<C>({ settingsOf, claimAssertionId, signingKey }: SamlProtocolDeps<C>): SamlLoginProtocol<C> {
  return {
    protocol: 'saml',
    startLogin(connection, { token, state }) {
      return samlCall(() =>
        buildLoginUrl(settingsOf(connection), { requestId: samlRequestId(state), relayState: token, ...(signingKey ? { signingKey } : {}) }),
      );
    },
    completeLogin(connection, { state }, response) {
      return samlCall(() =>
        validatePostResponse(settingsOf(connection), { samlResponse: response.samlResponse, expectedRequestId: samlRequestId(state), claimAssertionId }),
      );
    },
    async checkSettings(settings) {
      try {
        // The schema drops `protocol` (unknown keys are stripped).
        const parsed = parseSamlSettings(settings);
        const now = new Date();
        const usable = parsed.idpCertificates.map((pem) => certificateInfo(pem)).filter((c) => c.status(now) !== 'expired');
        if (usable.length === 0) {
          return { ok: false, field: 'idpCertificates', message: 'Every IdP certificate has expired; add the IdP’s current signing certificate.', transient: false };
        }
        if (parsed.signAuthnRequests && !signingKey) {
          return { ok: false, field: 'signAuthnRequests', message: 'This service has no SP signing key, so it cannot sign AuthnRequests.', transient: false };
        }
        return { ok: true };
      } catch (err) {
        if (!isSamlError(err)) throw err;
        const field = err.reason === 'invalid_certificate' ? 'idpCertificates' : 'settings';
        return { ok: false, field, message: err.message, transient: false };
      }
    },
  };
}
