/**
 * The SAML protocol behind the protocol seam: SP-initiated login (HTTP-Redirect AuthnRequest, RelayState = a
 * short handle for the sealed state, kept in storage), the HTTP-POST response at the ACS, unsolicited (IdP-initiated) responses for connections that
 * allow them, the SP metadata and the connection test.
 *
 * The AuthnRequest ID is derived from the sealed state's nonce, so the ACS checks InResponseTo against the
 * state the RelayState handle stands for. Assertion ids are claimed once per IdP
 * entity id in storage, whichever org's connection receives them (`claimAssertionId`).
 */
import { EVENT_LIMITS, type SignInReason } from '@/lib/contract';
import { findOutboundError, guardedFetch } from '@/lib/net';
import type { LoginState } from '../crypto/login-state';
import { currentSignInTrace } from '../features/events/sign-in-context';
import { ApiError } from '../http/api-error';
import { readGroups } from '../features/login/provisioning';
import { redactClaims, traceStep } from '../oidc/trace';
import {
  buildLoginUrl,
  certificateInfo,
  isSamlError,
  MAX_METADATA_BYTES,
  parseIdpMetadata,
  SAML_REASONS,
  SamlError,
  spMetadataXml,
  validatePostResponse,
  type IdpMetadata,
  type SamlConnectionSettings,
  type SamlIdentity,
  type SamlReason,
  type SpMetadataKeys,
  type SpSigningKey,
} from '../saml';
import type { SamlConnection, SsoConnection } from '../storage/types';
import { samlSloUrl } from '../features/logout/wire';
import type { LoginProtocol, SealedLogin, SettingsCheck, SettingsTest, SsoIdentity } from './types';

export interface SamlProtocolDeps {
  /** Single use of assertion ids (storage-backed): true the first time. */
  claimAssertionId(connection: SamlConnection, assertionId: string, expiresAt: Date): Promise<boolean>;
  /** Stores a login's sealed state server-side and returns the short RelayState handle for it (storage-backed). */
  saveRelayState(login: SealedLogin): Promise<string>;
  /** Loopback metadata URLs are fetched only in development. */
  devMode: boolean;
  /** The connections' own SP keys (features/sp-keys): none given, no connection signs or decrypts. */
  spKeys?: SpKeySource;
  now: () => number;
}

/** A connection's SP keys, read when needed (a login that signs, a response that is encrypted, the metadata). */
export interface SpKeySource {
  /** The current signing key pair, or undefined when the connection has none. */
  signingKey(connection: SamlConnection): Promise<SpSigningKey | undefined>;
  /** Every key pair that decrypts for the connection, current first (none: encrypted assertions are refused). */
  decryptionKeys(connection: SamlConnection): Promise<SpSigningKey[]>;
  /** The certificates the SP metadata publishes, by use. */
  metadataCertificates(connection: SamlConnection): Promise<SpMetadataKeys>;
}

const NO_SP_KEYS: SpKeySource = {
  signingKey: async () => undefined,
  decryptionKeys: async () => [],
  metadataCertificates: async () => ({ signing: [], encryption: [] }),
};

export interface SamlLoginProtocol extends LoginProtocol {
  readonly protocol: 'saml';
  /**
   * An unsolicited (IdP-initiated) response on a connection that allows it: fresh, unanswered, claimed once.
   * `onSignatureVerified` runs as soon as its signature verified against the connection's certificates.
   */
  completeUnsolicited(
    connection: SamlConnection,
    samlResponse: string,
    onSignatureVerified?: () => void,
  ): Promise<SsoIdentity>;
  /**
   * Whether an unsolicited response is signed by one of the connection's certificates, for a post the
   * connection refuses anyway (IdP-initiated off, connection not active): nothing is claimed, no identity read.
   */
  signatureVerifies(connection: SamlConnection, samlResponse: string): Promise<boolean>;
  /** The SP metadata XML of a connection. */
  metadataXml(connection: SamlConnection): Promise<string>;
}

/** The AuthnRequest ID for a login: the state's nonce (base64url, so a valid XML ID after the leading underscore). */
export function samlRequestId(state: Pick<LoginState, 'nonce'>): string {
  return `_${state.nonce}`;
}

/** Each SAML refusal's sign-in-log reason: `saml_` + the core's reason code. */
export function samlSignInReason(reason: SamlReason): SignInReason {
  return `saml_${reason}`;
}

/** A SamlError becomes an SSO_ERROR with its safe message and reason (413 for an oversized response, 400 otherwise). */
function ssoErrorFrom(err: unknown): unknown {
  if (!isSamlError(err)) return err;
  return new ApiError(
    err.reason === 'response_too_large' ? 413 : 400,
    'SSO_ERROR',
    err.message,
    samlSignInReason(err.reason),
  );
}

async function samlCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw ssoErrorFrom(err);
  }
}

function samlOf(connection: SsoConnection): SamlConnection {
  if (connection.protocol !== 'saml') throw new Error('not a SAML connection');
  return connection;
}

/**
 * The core's settings of a stored connection. The connection's `attributeMapping` becomes the core's
 * `attributeNames` (a field it sets replaces that field's defaults; README, "Attribute mapping").
 */
export function samlSettingsOf(connection: SamlConnection): SamlConnectionSettings {
  const {
    idpEntityId,
    idpSsoUrl,
    idpCertificates,
    spEntityId,
    spAcsUrl,
    signAuthnRequests,
    attributeMapping: m,
  } = connection.saml;
  const attributeNames = {
    ...(m.email ? { email: m.email } : {}),
    ...(m.name ? { name: m.name } : {}),
    ...(m.givenName ? { givenName: m.givenName } : {}),
    ...(m.familyName ? { surname: m.familyName } : {}),
    ...(m.subject ? { sub: m.subject } : {}),
    ...(m.groups ? { groups: m.groups } : {}),
  };
  return {
    idpEntityId,
    idpSsoUrl,
    idpCertificates,
    spEntityId,
    spAcsUrl,
    attributeNames,
    signAuthnRequests: signAuthnRequests ?? false,
  };
}

/** The certificates as shown on the wire and in the test: fingerprint, notAfter, status now. */
export function certificateSummaries(pems: readonly string[], now: Date) {
  return pems.map((pem) => {
    const info = certificateInfo(pem);
    return {
      fingerprintSha256: info.fingerprintSha256,
      notAfter: info.notAfter.toISOString(),
      status: info.status(now),
      subject: info.subject,
    };
  });
}

/** Fetches and reads IdP metadata through the outbound guard (no redirects, size and time capped). */
export async function fetchIdpMetadata(url: string, devMode: boolean): Promise<IdpMetadata> {
  let body: Buffer;
  try {
    const res = await guardedFetch(
      url,
      { headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } },
      {
        allowLoopback: devMode,
        maxBytes: MAX_METADATA_BYTES,
      },
    );
    if (res.status !== 200) throw new SamlError('metadata_fetch_failed', `It answered HTTP ${res.status}.`);
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    if (isSamlError(err)) throw err;
    // OutboundError messages name the origin and path only (never the query); anything else says nothing more.
    throw new SamlError('metadata_fetch_failed', findOutboundError(err)?.message);
  }
  return parseIdpMetadata(body);
}

/** What the sign-in log keeps of an assertion: subject, attributes and conditions (never the XML or signature). */
function traceAssertion(identity: SamlIdentity): void {
  const trace = currentSignInTrace();
  if (!trace) return;
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  trace.issuer = identity.issuer;
  trace.claimsVerified = true;
  trace.claims = redactClaims({
    nameId: identity.nameId,
    nameIdFormat: identity.nameIdFormat,
    sessionIndex: identity.sessionIndex,
    issueInstant: iso(identity.issueInstant),
    conditions: { notBefore: iso(identity.conditions.notBefore), notOnOrAfter: iso(identity.conditions.notOnOrAfter) },
    sessionNotOnOrAfter: iso(identity.sessionNotOnOrAfter),
    attributes: Object.fromEntries(Object.entries(identity.attributes).slice(0, EVENT_LIMITS.traceClaimsMax)),
  });
}

/**
 * The member's groups: the attribute mapping's `groups` names when set (the first one the assertion carries; the
 * core read it into `identity.groups`), else the connection's `groupAttribute`; neither configured: no groups, as
 * for OIDC.
 */
function groupsOf(connection: SamlConnection, identity: SamlIdentity): string[] {
  if (connection.saml.attributeMapping.groups) return readGroups(identity.groups);
  const attribute = connection.provisioning.groupAttribute;
  return attribute === null ? [] : readGroups(identity.attributes[attribute] ?? []);
}

/** The member for the seam. */
function toSsoIdentity(connection: SamlConnection, identity: SamlIdentity): SsoIdentity {
  traceAssertion(identity);
  return {
    sub: identity.sub,
    email: identity.email,
    // SAML carries no verification flag: the callback decides it from the org's verified domains.
    emailVerified: false,
    name: identity.name,
    groups: groupsOf(connection, identity),
    // The IdP's session policy bounds the member's session (already refused when it is past).
    ...(identity.sessionNotOnOrAfter ? { sessionNotOnOrAfter: identity.sessionNotOnOrAfter } : {}),
    // What a LogoutRequest names this sign-in by (either way: ours to the IdP, the IdP's to us).
    logout: {
      samlNameId: identity.nameId,
      ...(identity.nameIdFormat !== null ? { samlNameIdFormat: identity.nameIdFormat } : {}),
      ...(identity.sessionIndex !== null ? { idpSessionId: identity.sessionIndex } : {}),
    },
  };
}

export function createSamlProtocol({
  claimAssertionId,
  saveRelayState,
  devMode,
  spKeys = NO_SP_KEYS,
  now,
}: SamlProtocolDeps): SamlLoginProtocol {
  async function validate(
    connection: SamlConnection,
    samlResponse: string,
    expectedRequestId: string | null,
    onSignatureVerified?: () => void,
  ): Promise<SsoIdentity> {
    const identity = await traceStep(currentSignInTrace(), 'validation', () =>
      samlCall(() =>
        validatePostResponse(samlSettingsOf(connection), {
          samlResponse,
          expectedRequestId,
          claimAssertionId: (id, expiresAt) => claimAssertionId(connection, id, expiresAt),
          decryptionKeys: () => spKeys.decryptionKeys(connection),
          now: new Date(now()),
          ...(onSignatureVerified ? { onSignatureVerified } : {}),
        }),
      ),
    );
    return toSsoIdentity(connection, identity);
  }

  return {
    protocol: 'saml',
    async startLogin(connection, login: SealedLogin) {
      const saml = samlOf(connection);
      // RelayState is a short handle for the sealed state (the bindings cap it at 80 bytes).
      const relayState = await saveRelayState(login);
      return samlCall(async () => {
        // The key is read only for a connection that signs: an unsigned login costs no extra read.
        const signingKey = saml.saml.signAuthnRequests ? await spKeys.signingKey(saml) : undefined;
        return buildLoginUrl(samlSettingsOf(saml), {
          requestId: samlRequestId(login.state),
          relayState,
          ...(signingKey ? { signingKey } : {}),
        });
      });
    },
    completeLogin(connection, { state }, response) {
      if (response.protocol !== 'saml') throw new Error('not a SAML response');
      return validate(samlOf(connection), response.samlResponse, samlRequestId(state));
    },
    completeUnsolicited(connection, samlResponse, onSignatureVerified) {
      return validate(connection, samlResponse, null, onSignatureVerified);
    },
    async signatureVerifies(connection, samlResponse) {
      let verified = false;
      await validatePostResponse(samlSettingsOf(connection), {
        samlResponse,
        expectedRequestId: null,
        // A dry run: the assertion id is not used up (the post is refused whatever it says).
        claimAssertionId: async () => true,
        decryptionKeys: () => spKeys.decryptionKeys(connection),
        now: new Date(now()),
        onSignatureVerified: () => {
          verified = true;
        },
      }).catch(() => undefined);
      return verified;
    },
    async metadataXml(connection) {
      const { spEntityId, spAcsUrl, signAuthnRequests } = connection.saml;
      const keys = await spKeys.metadataCertificates(connection);
      return samlCall(async () =>
        spMetadataXml(
          { spEntityId, spAcsUrl, signAuthnRequests: signAuthnRequests ?? false, spSloUrl: samlSloUrl(connection) },
          keys,
        ),
      );
    },
    async testSettings(connection): Promise<SettingsTest> {
      const { saml } = samlOf(connection);
      const fail = (error: string): SettingsTest => ({ success: false, protocol: 'saml', error });
      const certificates = certificateSummaries(saml.idpCertificates, new Date(now()));
      if (certificates.every((c) => c.status === 'expired')) return fail(SAML_REASONS.certificate_expired);
      if (saml.idpMetadataUrl !== null) {
        try {
          const metadata = await fetchIdpMetadata(saml.idpMetadataUrl, devMode);
          if (metadata.entityId !== saml.idpEntityId) {
            return fail(
              'The IdP metadata now names a different entity ID than the one saved; save the connection again from its metadata.',
            );
          }
        } catch (err) {
          if (isSamlError(err)) return fail(err.message);
          throw err;
        }
      }
      return {
        success: true,
        protocol: 'saml',
        idpEntityId: saml.idpEntityId,
        idpSsoUrl: saml.idpSsoUrl,
        certificates,
      };
    },
    async checkSettings(settings): Promise<SettingsCheck> {
      if (settings.protocol !== 'saml') throw new Error('not SAML settings');
      try {
        const usable = settings.idpCertificates
          .map((pem) => certificateInfo(pem))
          .filter((c) => c.status(new Date(now())) !== 'expired');
        if (usable.length === 0)
          return { ok: false, field: 'idpCertificate', message: SAML_REASONS.certificate_expired, transient: false };
        return { ok: true };
      } catch (err) {
        if (!isSamlError(err)) throw err;
        return { ok: false, field: 'idpCertificate', message: err.message, transient: false };
      }
    },
  };
}
