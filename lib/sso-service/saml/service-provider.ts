/**
 * The SAML 2.0 service provider: HTTP-Redirect AuthnRequests out, HTTP-POST responses in, SP metadata.
 * Built on @node-saml/node-saml (signature checks that return only the signed XML, audience and time checks),
 * configured strictly and wrapped by the guards in xml-guard.ts and the checks in assertion.ts.
 */
import {
  SAML,
  ValidateInResponseTo,
  generateServiceProviderMetadata,
  SamlStatusError,
  type CacheProvider,
  type SamlConfig,
} from '@node-saml/node-saml';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import xmlenc from 'xml-encryption';
import { BoundedMap } from '../bounded-map';
import { readSignedAssertion, type SamlIdentity } from './assertion';
import { certificateInfo, type CertificateInfo } from './certificates';
import { SamlError, isSamlError, type SamlReason } from './errors';
import {
  samlConnectionSettingsSchema,
  type ParsedSamlSettings,
  type SamlConnectionSettings,
  type SpSigningKey,
} from './settings';
import {
  checkEncryptedAssertion,
  checkResponseDocument,
  childElements,
  decodeBase64Xml,
  DEFAULT_MAX_RESPONSE_BASE64,
  descendants,
  DSIG_NS,
  MD_NS,
  parseStrict,
  refuseWeakAlgorithms,
  SAML_NS,
  type EncryptedAssertionShape,
} from './xml-guard';

export type { SamlIdentity } from './assertion';

/** Claims an assertion ID once: resolves true the first time, false if it was already claimed (a replay). */
export type ClaimAssertionId = (assertionId: string, expiresAt: Date) => Promise<boolean>;

const REQUEST_ID = /^[A-Za-z_][A-Za-z0-9_.-]{15,127}$/;

export function parseSamlSettings(settings: SamlConnectionSettings): ParsedSamlSettings {
  const parsed = samlConnectionSettingsSchema.safeParse(settings);
  if (!parsed.success)
    throw new SamlError('invalid_settings', `Check: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}.`);
  return parsed.data;
}

function requireRequestId(requestId: string): void {
  // An xs:ID (NCName) with enough entropy to be unguessable; the caller derives it from the sealed state.
  if (!REQUEST_ID.test(requestId))
    throw new SamlError('invalid_settings', 'The request id must be an XML ID of 16 to 128 characters.');
}

/** A cache that knows exactly one request id: the one this login started with (it travels in the sealed state). */
function singleRequestCache(expectedRequestId: string): CacheProvider {
  return {
    saveAsync: async () => null,
    getAsync: async (key) => (key === expectedRequestId ? new Date().toISOString() : null),
    removeAsync: async () => null,
  };
}

/** How old an unsolicited (IdP-initiated) assertion may be, by its IssueInstant (plus the clock skew). */
export const UNSOLICITED_MAX_AGE_MS = 5 * 60 * 1000;

/** Which of the two elements a response carries a signature on (as direct `ds:Signature` children). */
interface SignedParts {
  response: boolean;
  assertion: boolean;
}

/** For the login URL: no response is read, so node-saml's defaults for signatures do not matter. */
const ASSERTION_SIGNED: SignedParts = { response: false, assertion: true };

/**
 * `requestId` null: an unsolicited response, whose InResponseTo (if any) no cache knows, so any is refused.
 * `signed`: every signature the response carries must verify against a configured certificate (node-saml's
 * `wantAuthnResponseSigned` / `wantAssertionsSigned`), and checkEnvelope has made sure it carries at least one.
 */
function nodeSamlConfig(
  settings: ParsedSamlSettings,
  requestId: string | null,
  idpCerts: string[],
  signed: SignedParts,
  signing?: SpSigningKey,
): SamlConfig {
  return {
    entryPoint: settings.idpSsoUrl,
    issuer: settings.spEntityId,
    callbackUrl: settings.spAcsUrl,
    audience: settings.spEntityId,
    idpCert: idpCerts,
    idpIssuer: settings.idpEntityId,
    // IdPs sign the assertion (ADFS, Okta, Entra ID's default), the Response (Keycloak's and Shibboleth's
    // defaults), or both. node-saml then reads the one assertion from the bytes the signature covers: the
    // Response's signed bytes when the Response is signed, else the assertion's.
    wantAuthnResponseSigned: signed.response,
    wantAssertionsSigned: signed.assertion,
    acceptedClockSkewMs: settings.clockSkewSeconds * 1000,
    validateInResponseTo: requestId === null ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: 60 * 60 * 1000,
    cacheProvider: singleRequestCache(requestId ?? ''),
    generateUniqueId: () => requestId ?? '',
    identifierFormat: null,
    // Requesting "PasswordProtectedTransport" breaks IdPs that sign in with MFA or Kerberos (ADFS among them).
    disableRequestedAuthnContext: true,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    ...(signing && settings.signAuthnRequests
      ? { privateKey: signing.privateKeyPem, publicCert: signing.certificatePem }
      : {}),
  };
}

export interface LoginUrlInput {
  /** The AuthnRequest ID; the response's InResponseTo must equal it. */
  requestId: string;
  /** The sealed login state, sent back unchanged by the IdP. */
  relayState: string;
  /** Required when the connection signs AuthnRequests. */
  signingKey?: SpSigningKey;
}

/** The HTTP-Redirect binding URL that sends the member to the IdP. Makes no request. */
export async function buildLoginUrl(
  settings: SamlConnectionSettings,
  { requestId, relayState, signingKey }: LoginUrlInput,
): Promise<string> {
  const parsed = parseSamlSettings(settings);
  requireRequestId(requestId);
  if (parsed.signAuthnRequests && !signingKey)
    throw new SamlError('invalid_settings', 'Signed AuthnRequests need the SP signing key.');
  const saml = new SAML(nodeSamlConfig(parsed, requestId, parsed.idpCertificates, ASSERTION_SIGNED, signingKey));
  return saml.getAuthorizeUrlAsync(relayState, undefined, {});
}

export interface PostResponseInput {
  /** The SAMLResponse form field, as posted (base64). */
  samlResponse: string;
  /**
   * The request id this login started with (from the sealed state); null for an unsolicited (IdP-initiated)
   * response, accepted only when it answers no request and was issued within UNSOLICITED_MAX_AGE_MS.
   */
  expectedRequestId: string | null;
  claimAssertionId: ClaimAssertionId;
  /** Cap on the base64 SAMLResponse; DEFAULT_MAX_RESPONSE_BASE64 by default. */
  maxResponseBase64?: number;
  /** The time for the certificate-expiry and subject-confirmation checks (tests); node-saml's own time checks use the system clock. */
  now?: Date;
  /**
   * Called once the response's signatures verified against one of the configured certificates (before the
   * issuer, audience, time and replay checks): whoever holds that certificate's key sent it. The caller uses it
   * to tell the configured IdP's refusals from anonymous junk.
   */
  onSignatureVerified?: () => void;
  /**
   * The connection's SP decryption key pairs, current first; read only when the response carries an
   * EncryptedAssertion (none: encrypted assertions are refused with `encrypted_assertion_unsupported`).
   */
  decryptionKeys?: () => Promise<SpSigningKey[]>;
}

/** node-saml's SAML, noting when it reaches the assertion it verified (its checks past the signature run there). */
class VerifyingSaml extends SAML {
  constructor(
    config: SamlConfig,
    private readonly onVerified: () => void,
  ) {
    super(config);
  }

  protected override processValidlySignedAssertionAsync(
    this: VerifyingSaml,
    ...args: Parameters<SAML['processValidlySignedAssertionAsync']>
  ) {
    this.onVerified();
    return super.processValidlySignedAssertionAsync(...args);
  }
}

/** node-saml's refusals are plain Errors; these map their messages onto reason codes (the message itself is never shown). */
const NODE_SAML_REASONS: ReadonlyArray<[RegExp, SamlReason]> = [
  [/InResponseTo is missing/, 'in_response_to_missing'],
  [/InResponseTo/, 'in_response_to_mismatch'],
  [/not yet valid/, 'not_yet_valid'],
  [/expired|No valid subject confirmation/, 'expired'],
  [/audience/i, 'wrong_audience'],
  [/Unknown SAML issuer|issuer/i, 'wrong_issuer'],
  [/Missing SAML assertion/, 'idp_status_error'],
];

function reasonFor(err: unknown): SamlError {
  if (isSamlError(err)) return err;
  if (err instanceof SamlStatusError) return new SamlError('idp_status_error');
  const message = err instanceof Error ? err.message : '';
  const match = NODE_SAML_REASONS.find(([pattern]) => pattern.test(message));
  return new SamlError(match ? match[1] : 'invalid_signature');
}

/** Parsed certificates by their configured text: a connection's certificates are parsed once, not per login. */
const certificateCache = new BoundedMap<string, CertificateInfo>(1000);
function cachedCertificateInfo(pem: string): CertificateInfo {
  let info = certificateCache.get(pem);
  if (!info) {
    info = certificateInfo(pem);
    certificateCache.set(pem, info);
  }
  return info;
}

function usableCertificates(settings: ParsedSamlSettings, now: Date): string[] {
  const infos = settings.idpCertificates.map(cachedCertificateInfo);
  const usable = infos.filter((info) => info.status(now) !== 'expired').map((info) => info.pem);
  if (usable.length === 0) throw new SamlError('certificate_expired');
  return usable;
}

interface Envelope {
  signed: SignedParts;
  /** The EncryptedAssertion in place of the assertion (its algorithms and shape are checked once a key exists). */
  encrypted: Element | null;
}

/**
 * Refuses before any signature work what no valid response looks like: several assertions (plain or
 * encrypted), a foreign Destination, no signature on either the Response or its assertion. Returns which of the
 * two are signed; for an encrypted assertion, whose own signature is inside the cipher text, node-saml is told
 * to require it exactly when the Response is not signed.
 */
function checkEnvelope(doc: Document, settings: ParsedSamlSettings): Envelope {
  checkResponseDocument(doc);
  const root = doc.documentElement!;
  const destination = root.getAttribute('Destination');
  if (destination && destination !== settings.spAcsUrl) throw new SamlError('wrong_destination');
  const assertions = childElements(root, SAML_NS, 'Assertion');
  const encrypted = childElements(root, SAML_NS, 'EncryptedAssertion');
  if (assertions.length + encrypted.length === 0) {
    const status = childElements(root, 'urn:oasis:names:tc:SAML:2.0:protocol', 'Status')[0];
    throw new SamlError(status ? 'idp_status_error' : 'malformed_response');
  }
  if (assertions.length + encrypted.length > 1)
    throw new SamlError('invalid_signature', 'It carries more than one assertion.');
  const response = childElements(root, DSIG_NS, 'Signature').length > 0;
  if (encrypted.length === 1) return { signed: { response, assertion: !response }, encrypted: encrypted[0]! };
  const signed = { response, assertion: childElements(assertions[0]!, DSIG_NS, 'Signature').length > 0 };
  if (!signed.response && !signed.assertion) throw new SamlError('unsigned_assertion');
  return { signed, encrypted: null };
}

/** What one node-saml pass over a document needs. */
interface Pass {
  parsed: ParsedSamlSettings;
  requestId: string | null;
  certs: string[];
  onVerified: () => void;
}

/** node-saml over one document; returns the assertion XML its checks read (the signed bytes, or the decrypted assertion). */
async function nodeSamlAssertion(xml: string, pass: Pass, signed: SignedParts, decryptionPvk?: string) {
  const saml = new VerifyingSaml(
    {
      ...nodeSamlConfig(pass.parsed, pass.requestId, pass.certs, signed),
      ...(decryptionPvk ? { decryptionPvk } : {}),
    },
    pass.onVerified,
  );
  const { profile } = await saml.validatePostResponseAsync({
    SAMLResponse: Buffer.from(xml, 'utf8').toString('base64'),
  });
  const signedAssertion = profile?.getAssertionXml?.();
  if (!signedAssertion) throw new SamlError('idp_status_error');
  return signedAssertion;
}

/** The keys in the order to try: the one the IdP says it encrypted to first (KeyInfo certificate), then the rest. */
function recipientFirst(keys: readonly SpSigningKey[], recipient: string | null): SpSigningKey[] {
  const body = (pem: string) => pem.replace(/-----[^-]+-----|\s+/g, '');
  const named = recipient === null ? [] : keys.filter((k) => body(k.certificatePem) === recipient);
  return [...named, ...keys.filter((k) => !named.includes(k))];
}

/** xml-encryption (the library node-saml decrypts with) with the insecure algorithms switched off. */
function decryptWith(encryptedXml: string, privateKeyPem: string): Promise<string> {
  return new Promise((resolve, reject) =>
    xmlenc.decrypt(
      encryptedXml,
      { key: privateKeyPem, disallowDecryptionWithInsecureAlgorithm: true, warnInsecureAlgorithm: false },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );
}

/** node-saml's refusals that come before it decrypts anything (read from the text as sent). */
const BEFORE_DECRYPTION = /InResponseTo|Invalid document signature/;

/**
 * The assertion of a response whose assertion is encrypted (README, "Encrypted assertions"):
 * - Response signed: node-saml verifies the Response signature, which covers the EncryptedAssertion, before it
 *   decrypts (any change to the cipher text is an invalid signature, so nothing is decrypted for an attacker),
 *   then decrypts it from the verified bytes with `decryptionPvk`. AES-GCM and AES-CBC are accepted.
 * - Response unsigned: only AES-GCM (any change to the cipher text fails its tag before a byte of plaintext is
 *   used). The decrypted assertion takes the EncryptedAssertion's place and the document is read as a plain
 *   assertion-signed response, through every check a plain one gets (its own signature, algorithms, shape).
 *   Until that signature has verified, every refusal is the same `decryption_failed`: no answer tells a
 *   tampered cipher text, a wrong key, unreadable plaintext or a bad signature apart.
 * Two keys during a rotation: the one the IdP names first, else each in turn.
 */
async function encryptedAssertionXml(
  doc: Document,
  xml: string,
  envelope: Envelope & { encrypted: Element },
  pass: Pass,
  decryptionKeys: (() => Promise<SpSigningKey[]>) | undefined,
  verified: () => boolean,
): Promise<string> {
  const keys = decryptionKeys ? await decryptionKeys() : [];
  if (keys.length === 0) throw new SamlError('encrypted_assertion_unsupported');
  const shape: EncryptedAssertionShape = checkEncryptedAssertion(envelope.encrypted);
  const ordered = recipientFirst(keys, shape.recipientCertificate);
  if (envelope.signed.response) {
    for (const key of ordered) {
      try {
        const assertionXml = await nodeSamlAssertion(xml, pass, envelope.signed, key.privateKeyPem);
        // The decrypted assertion keeps to the same algorithm rules (a signature of its own included).
        refuseWeakAlgorithms(parseStrict(assertionXml));
        return assertionXml;
      } catch (err) {
        const message = err instanceof Error ? err.message : '';
        if (verified() || isSamlError(err) || BEFORE_DECRYPTION.test(message)) throw err;
      }
    }
    throw new SamlError('decryption_failed');
  }
  if (shape.cbc) throw new SamlError('cbc_unsigned_response');
  try {
    const encryptedXml = new XMLSerializer().serializeToString(shape.element);
    let decrypted: string | null = null;
    for (const key of ordered) {
      decrypted = await decryptWith(encryptedXml, key.privateKeyPem).catch(() => null);
      if (decrypted !== null) break;
    }
    if (decrypted === null) throw new SamlError('decryption_failed');
    const assertion = parseStrict(decrypted).documentElement!;
    if (assertion.namespaceURI !== SAML_NS || assertion.localName !== 'Assertion')
      throw new SamlError('decryption_failed');
    doc.documentElement!.replaceChild(doc.importNode(assertion, true), shape.element);
    const plainXml = new XMLSerializer().serializeToString(doc);
    const plain = checkEnvelope(parseStrict(plainXml), pass.parsed);
    if (plain.encrypted || !plain.signed.assertion) throw new SamlError('decryption_failed');
    return await nodeSamlAssertion(plainXml, pass, plain.signed);
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    if (verified() || (!isSamlError(err) && /InResponseTo/.test(message))) throw err;
    throw new SamlError('decryption_failed');
  }
}

/** An unsolicited assertion must have been issued within UNSOLICITED_MAX_AGE_MS (and not in the future), skew allowed. */
function checkFresh(identity: SamlIdentity, settings: ParsedSamlSettings, now: Date): void {
  const skewMs = settings.clockSkewSeconds * 1000;
  const issued = identity.issueInstant?.getTime();
  if (
    issued === undefined ||
    now.getTime() - issued > UNSOLICITED_MAX_AGE_MS + skewMs ||
    issued - now.getTime() > skewMs
  ) {
    throw new SamlError('unsolicited_too_old');
  }
}

/**
 * Validates an HTTP-POST SAMLResponse for the login that started with `expectedRequestId` and returns the
 * member. Throws SamlError for every refusal. The assertion ID is claimed last, so a refused response never
 * uses one up.
 */
export async function validatePostResponse(
  settings: SamlConnectionSettings,
  input: PostResponseInput,
): Promise<SamlIdentity> {
  const parsed = parseSamlSettings(settings);
  const now = input.now ?? new Date();
  if (input.expectedRequestId !== null) requireRequestId(input.expectedRequestId);
  let identity: SamlIdentity;
  try {
    const xml = decodeBase64Xml(input.samlResponse, input.maxResponseBase64 ?? DEFAULT_MAX_RESPONSE_BASE64);
    const doc = parseStrict(xml);
    const envelope = checkEnvelope(doc, parsed);
    let verified = false;
    const pass: Pass = {
      parsed,
      requestId: input.expectedRequestId,
      certs: usableCertificates(parsed, now),
      onVerified: () => {
        verified = true;
        input.onSignatureVerified?.();
      },
    };
    // A response without an EncryptedAssertion takes exactly the path it always did (no key is read).
    const signedAssertion = envelope.encrypted
      ? await encryptedAssertionXml(
          doc,
          xml,
          { ...envelope, encrypted: envelope.encrypted },
          pass,
          input.decryptionKeys,
          () => verified,
        )
      : await nodeSamlAssertion(xml, pass, envelope.signed);
    identity = readSignedAssertion(signedAssertion, {
      settings: parsed,
      expectedRequestId: input.expectedRequestId,
      nowMs: now.getTime(),
    });
    if (input.expectedRequestId === null) checkFresh(identity, parsed, now);
  } catch (err) {
    throw reasonFor(err);
  }
  const keepUntil = new Date(identity.notOnOrAfter.getTime() + parsed.clockSkewSeconds * 1000);
  if (!(await input.claimAssertionId(identity.assertionId, keepUntil))) throw new SamlError('assertion_replayed');
  return identity;
}

/** The SP's certificates for its metadata, by use, current first (at most two of each during a rotation). */
export interface SpMetadataKeys {
  signing: readonly string[];
  encryption: readonly string[];
}

/**
 * What the metadata offers an IdP that encrypts (GCM first; RSA-OAEP key transport). CBC stays accepted for IdPs
 * that offer nothing else (AD FS, older Okta); every decryption failure answers the same (README, "Encrypted
 * assertions").
 */
export const SP_ENCRYPTION_METHODS = [
  'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
] as const;

function keyDescriptor(doc: Document, use: 'signing' | 'encryption', certificatePem: string): Element {
  const descriptor = doc.createElementNS(MD_NS, 'md:KeyDescriptor');
  descriptor.setAttribute('use', use);
  const keyInfo = doc.createElementNS(DSIG_NS, 'ds:KeyInfo');
  const data = doc.createElementNS(DSIG_NS, 'ds:X509Data');
  const cert = doc.createElementNS(DSIG_NS, 'ds:X509Certificate');
  cert.appendChild(doc.createTextNode(certificateInfo(certificatePem).pem.replace(/-----[^-]+-----|\s+/g, '')));
  data.appendChild(cert);
  keyInfo.appendChild(data);
  descriptor.appendChild(keyInfo);
  if (use === 'encryption') {
    for (const algorithm of SP_ENCRYPTION_METHODS) {
      const method = doc.createElementNS(MD_NS, 'md:EncryptionMethod');
      method.setAttribute('Algorithm', algorithm);
      descriptor.appendChild(method);
    }
  }
  return descriptor;
}

/**
 * The SP's metadata XML: entity ID, ACS URL (HTTP-POST), `AuthnRequestsSigned` as configured, and one
 * `KeyDescriptor` per published SP certificate: `use="signing"` (current, then next) and `use="encryption"`
 * (each key that decrypts, with the EncryptionMethods accepted).
 */
export function spMetadataXml(
  settings: Pick<SamlConnectionSettings, 'spEntityId' | 'spAcsUrl' | 'signAuthnRequests'> & { spSloUrl?: string },
  keys: SpMetadataKeys = { signing: [], encryption: [] },
): string {
  if (settings.signAuthnRequests && keys.signing.length === 0)
    throw new SamlError('invalid_settings', 'Signed AuthnRequests need the SP signing key.');
  const base = generateServiceProviderMetadata({
    issuer: settings.spEntityId,
    callbackUrl: settings.spAcsUrl,
    // The connection's SingleLogoutService (node-saml lists it with the HTTP-POST binding; the endpoint also takes
    // HTTP-Redirect, see logout.ts).
    ...(settings.spSloUrl ? { logoutCallbackUrl: settings.spSloUrl } : {}),
    identifierFormat: null,
    wantAssertionsSigned: true,
  });
  if (!settings.signAuthnRequests && keys.signing.length === 0 && keys.encryption.length === 0) return base;
  const doc = new DOMParser().parseFromString(base, 'text/xml');
  const descriptor = descendants(doc, MD_NS, 'SPSSODescriptor')[0];
  if (!descriptor) throw new Error('node-saml metadata without an SPSSODescriptor');
  descriptor.setAttribute('AuthnRequestsSigned', settings.signAuthnRequests ? 'true' : 'false');
  // KeyDescriptors come first in an SPSSODescriptor (SAML metadata schema).
  const first = descriptor.firstChild;
  for (const pem of keys.signing) descriptor.insertBefore(keyDescriptor(doc, 'signing', pem), first);
  for (const pem of keys.encryption) descriptor.insertBefore(keyDescriptor(doc, 'encryption', pem), first);
  return new XMLSerializer().serializeToString(doc);
}
