/**
 * The protocol seam: what the login, callback and settings routes ask of a connection's protocol. Two
 * implementations sit behind it, chosen by the connection's `protocol`: OIDC (oidc.ts, wrapping the relying
 * party in ../oidc) and SAML (saml.ts).
 */
import type { LoginState } from '../crypto/login-state';
import type { ConnectionProtocol, SsoConnection } from '../storage/types';

/** A login in progress: the sealed `state` token sent to the IdP and its payload (nonce, PKCE verifier, ids). */
export interface SealedLogin {
  token: string;
  state: LoginState;
}

/** What the IdP sent back to the callback, per protocol. */
export type ProtocolResponse =
  { protocol: 'oidc'; code: string; iss?: string } | { protocol: 'saml'; samlResponse: string };

/** The member the IdP vouched for. */
export interface SsoIdentity {
  sub: string;
  email: string | null;
  /**
   * Whether `email` can be trusted as the member's mailbox (see ../features/login/email-trust.ts): the protocol fills what the
   * IdP said (OIDC `email_verified`; SAML sends no such flag: false), and the callback settles it against the
   * org's verified domains before anything is written.
   */
  emailVerified: boolean;
  name: string | null;
  /** From the connection's `groupAttribute` claim (none configured or none sent: []), see ../features/login/provisioning.ts. */
  groups: string[];
  /**
   * When the IdP's own session for this sign-in ends (SAML: the AuthnStatement's `SessionNotOnOrAfter`); absent
   * when the IdP sets none. The member's session ends no later (../features/login/completion.ts, openSession).
   */
  sessionNotOnOrAfter?: Date;
  /**
   * How the IdP names this sign-in in a logout (../features/logout): OIDC `sid` and the raw ID token (sealed
   * before it is stored, for `id_token_hint`), SAML NameID and SessionIndex. Never logged or put in an event.
   */
  logout?: IdentityLogoutKeys;
}

export interface IdentityLogoutKeys {
  idpSessionId?: string;
  samlNameId?: string;
  samlNameIdFormat?: string;
  idToken?: string;
}

/** A connection test (the settings checked against the IdP now), per protocol. */
export type SettingsTest =
  | {
      success: true;
      protocol: 'oidc';
      issuer: string;
      authorizationEndpoint: string;
      tokenEndpoint: string;
      jwksUri: string;
    }
  | {
      success: true;
      protocol: 'saml';
      idpEntityId: string;
      idpSsoUrl: string;
      certificates: {
        fingerprintSha256: string;
        notAfter: string;
        status: 'ok' | 'expiring' | 'expired';
        subject?: string;
      }[];
    }
  | { success: false; protocol: ConnectionProtocol; error: string };

/** Settings to check before a save, per protocol (only what can be checked against the IdP). */
export type SettingsToCheck = { protocol: 'oidc'; issuerUrl: string } | { protocol: 'saml'; idpCertificates: string[] };

export type SettingsCheck =
  | { ok: true }
  /** `field` is the setting at fault; `transient`: the IdP may come back (the save may go through). */
  | { ok: false; field: string; message: string; transient: boolean };

/**
 * One protocol. Its expected failures (IdP down, bad token, …) are thrown as ApiErrors with a message safe to
 * show; anything else is a bug.
 */
export interface LoginProtocol {
  readonly protocol: ConnectionProtocol;
  /** The URL that sends the member to the IdP for this login. Reads no secret, writes nothing. */
  startLogin(connection: SsoConnection, login: SealedLogin): Promise<string>;
  /**
   * Verifies the IdP's response to this login and returns the member. `signal` is the sign-in's deadline
   * (lib/net/deadline.ts): every request to the IdP ends when it aborts.
   */
  completeLogin(
    connection: SsoConnection,
    login: SealedLogin,
    response: ProtocolResponse,
    options?: { signal?: AbortSignal },
  ): Promise<SsoIdentity>;
  /** Checks settings against the IdP (e.g. OIDC discovery for the issuer). */
  checkSettings(settings: SettingsToCheck): Promise<SettingsCheck>;
  /** Tests a saved connection's settings against the IdP (OIDC: a fresh discovery through the outbound guard). */
  testSettings(connection: SsoConnection): Promise<SettingsTest>;
}
