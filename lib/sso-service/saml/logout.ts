/**
 * SAML Single Logout for one connection, on @node-saml/node-saml: the SP's LogoutRequest to the IdP
 * (`getLogoutUrlAsync`), the IdP's LogoutRequest to us (`validateRedirectAsync` / `validatePostRequestAsync`),
 * our LogoutResponse to it (`getLogoutResponseUrlAsync`) and its LogoutResponse to our request
 * (`validateRedirectAsync`, or node-saml's POST signature check). node-saml builds, signs and verifies; this
 * module closes what it leaves open, before it runs:
 * - size caps on the encoded message and on the inflated one (the Redirect binding deflates: a bomb is cut off);
 * - no DOCTYPE, a strict parse, the expected root element, SHA-1 refused (SigAlg and XML signature algorithms);
 * - a signature is required (node-saml accepts an unsigned Redirect message);
 * - the Redirect signature is checked over a query rebuilt from the exact received parameters, each once, so
 *   the bytes node-saml verifies are the bytes we read;
 * - Destination = our SLO URL, Issuer = the IdP entity ID, IssueInstant recent (node-saml checks neither the
 *   Destination nor the age), InResponseTo required on a LogoutResponse;
 * - NameID and SessionIndex are read as direct children of the verified root only, and a document with any other
 *   NameID or SessionIndex (e.g. one hidden in the signature's ds:Object, outside the digest) is refused.
 * Nothing here touches storage or HTTP; single use of the request ID is the caller's (it needs storage).
 */
import { inflateRawSync } from 'node:zlib';
import { SAML, ValidateInResponseTo, type CacheProvider, type Profile, type SamlConfig } from '@node-saml/node-saml';
import type { SpSigningKey } from './settings';
import {
  childElements,
  descendants,
  DSIG_NS,
  parseStrict,
  refuseWeakAlgorithms,
  SAML_NS,
  SAMLP_NS,
  utf8Xml,
} from './xml-guard';

export const SAML_LOGOUT_REASONS = {
  slo_not_configured: 'This connection has no IdP single logout URL.',
  message_too_large: 'The SAML logout message is larger than this service accepts.',
  malformed_message:
    'The SAML logout message is not a well-formed, base64-encoded (and, for HTTP-Redirect, deflated) LogoutRequest or LogoutResponse.',
  doctype_refused: 'The SAML logout message contains a DOCTYPE or entity declaration, which this service refuses.',
  weak_algorithm: 'The SAML logout message is signed with SHA-1 or another algorithm this service refuses.',
  unsigned: 'The SAML logout message is not signed; the IdP must sign logout messages.',
  invalid_signature: 'The SAML logout message is not signed by a configured IdP certificate.',
  wrong_issuer: 'The SAML logout message was issued by a different IdP entity ID than the one configured.',
  wrong_destination: "The SAML logout message's Destination is not this connection's single logout URL.",
  stale: 'The SAML logout message was issued more than five minutes ago (or in the future); check the IdP clock.',
  in_response_to_mismatch: 'The SAML LogoutResponse does not answer the logout this service started.',
  idp_status_error: 'The IdP answered the logout with an error status.',
  replayed: 'This SAML LogoutRequest was already processed.',
  certificate_expired: 'Every configured IdP certificate has expired.',
} as const;
export type SamlLogoutReason = keyof typeof SAML_LOGOUT_REASONS;

export class SamlLogoutError extends Error {
  override readonly name = 'SamlLogoutError';
  constructor(readonly reason: SamlLogoutReason) {
    super(SAML_LOGOUT_REASONS[reason]);
  }
}

/** What logout needs of a connection (service-provider.ts reads the rest for login). */
export interface SamlLogoutSettings {
  idpEntityId: string;
  /** Certificates that may verify (the caller drops expired ones). */
  idpCertificates: string[];
  /** The IdP's HTTP-Redirect SingleLogoutService; required to send anything to the IdP. */
  idpSloUrl: string | null;
  spEntityId: string;
  /** Our SingleLogoutService for this connection: every message to us must name it as its Destination. */
  spSloUrl: string;
  clockSkewSeconds: number;
}

/** How old (IssueInstant) a logout message may be, plus the clock skew. */
export const LOGOUT_MESSAGE_MAX_AGE_MS = 5 * 60 * 1000;
/** Cap on the encoded message (form or query value). */
export const MAX_LOGOUT_BASE64 = 64 * 1024;
/** Cap on the inflated XML of a Redirect message. */
export const MAX_LOGOUT_XML_BYTES = 128 * 1024;

const ALLOWED_SIG_ALGS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const REDIRECT_KEYS = ['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg', 'Signature'] as const;
type RedirectKey = (typeof REDIRECT_KEYS)[number];

/** A logout message as received: the Redirect binding's raw query, or the POST binding's form fields. */
export type LogoutMessageInput =
  | { binding: 'redirect'; rawQuery: string }
  | { binding: 'post'; form: { SAMLRequest?: string; SAMLResponse?: string; RelayState?: string } };

export interface VerifiedLogoutRequest {
  kind: 'request';
  id: string;
  nameId: string;
  nameIdFormat: string | null;
  sessionIndexes: string[];
  relayState: string | null;
  issueInstant: Date;
}

export interface VerifiedLogoutResponse {
  kind: 'response';
  inResponseTo: string;
  relayState: string | null;
}

/** Which message the input carries and its RelayState, before any verification (to find the expected request). */
export function peekLogoutMessage(input: LogoutMessageInput): {
  kind: 'request' | 'response';
  relayState: string | null;
} {
  const fields = input.binding === 'redirect' ? redirectFields(input.rawQuery).values : input.form;
  const request = fields.SAMLRequest !== undefined;
  const response = fields.SAMLResponse !== undefined;
  if (request === response) throw new SamlLogoutError('malformed_message');
  return { kind: request ? 'request' : 'response', relayState: fields.RelayState ?? null };
}

/** The Redirect binding's parameters, each at most once, raw (as signed) and decoded. */
function redirectFields(rawQuery: string): {
  raw: Partial<Record<RedirectKey, string>>;
  values: Partial<Record<RedirectKey, string>>;
} {
  const raw: Partial<Record<RedirectKey, string>> = {};
  const values: Partial<Record<RedirectKey, string>> = {};
  for (const token of rawQuery.split('&')) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    const key = eq === -1 ? token : token.slice(0, eq);
    if (!(REDIRECT_KEYS as readonly string[]).includes(key)) continue;
    const k = key as RedirectKey;
    if (raw[k] !== undefined) throw new SamlLogoutError('malformed_message');
    raw[k] = token;
    let value: string;
    try {
      value = decodeURIComponent((eq === -1 ? '' : token.slice(eq + 1)).replace(/\+/g, ' '));
    } catch {
      throw new SamlLogoutError('malformed_message');
    }
    values[k] = value;
  }
  return { raw, values };
}

function base64Bytes(value: string): Buffer {
  if (value.length > MAX_LOGOUT_BASE64) throw new SamlLogoutError('message_too_large');
  const compact = value.replace(/[\r\n\t ]/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact))
    throw new SamlLogoutError('malformed_message');
  return Buffer.from(compact, 'base64');
}

function inflateCapped(bytes: Buffer): Buffer {
  try {
    return inflateRawSync(bytes, { maxOutputLength: MAX_LOGOUT_XML_BYTES });
  } catch (err) {
    if (err instanceof RangeError) throw new SamlLogoutError('message_too_large');
    throw new SamlLogoutError('malformed_message');
  }
}

/** The guards every incoming document goes through; returns its root. */
function checkedRoot(xml: string, expected: 'LogoutRequest' | 'LogoutResponse'): Element {
  let doc: Document;
  try {
    if (/<!\s*(DOCTYPE|ENTITY)/i.test(xml)) throw new SamlLogoutError('doctype_refused');
    doc = parseStrict(xml);
    refuseWeakAlgorithms(doc);
  } catch (err) {
    if (err instanceof SamlLogoutError) throw err;
    const reason = (err as { reason?: string }).reason;
    throw new SamlLogoutError(
      reason === 'doctype_refused'
        ? 'doctype_refused'
        : reason === 'weak_algorithm'
          ? 'weak_algorithm'
          : 'malformed_message',
    );
  }
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== SAMLP_NS || root.localName !== expected)
    throw new SamlLogoutError('malformed_message');
  return root;
}

/** Destination, Issuer and IssueInstant, checked on the document that is then verified. */
function checkEnvelope(root: Element, s: SamlLogoutSettings, nowMs: number): Date {
  if (root.getAttribute('Destination') !== s.spSloUrl) throw new SamlLogoutError('wrong_destination');
  const issuers = childElements(root, SAML_NS, 'Issuer');
  if (issuers.length !== 1 || (issuers[0]!.textContent ?? '').trim() !== s.idpEntityId)
    throw new SamlLogoutError('wrong_issuer');
  const issued = Date.parse(root.getAttribute('IssueInstant') ?? '');
  const skewMs = s.clockSkewSeconds * 1000;
  if (!Number.isFinite(issued) || nowMs - issued > LOGOUT_MESSAGE_MAX_AGE_MS + skewMs || issued - nowMs > skewMs)
    throw new SamlLogoutError('stale');
  return new Date(issued);
}

/** NameID and SessionIndex as direct children of the root; any other occurrence in the document is refused. */
function readSubject(root: Element): Pick<VerifiedLogoutRequest, 'nameId' | 'nameIdFormat' | 'sessionIndexes'> {
  const nameIds = childElements(root, SAML_NS, 'NameID');
  const indexes = childElements(root, SAMLP_NS, 'SessionIndex');
  if (
    nameIds.length !== 1 ||
    descendants(root, SAML_NS, 'NameID').length !== 1 ||
    descendants(root, SAMLP_NS, 'SessionIndex').length !== indexes.length ||
    descendants(root, SAML_NS, 'EncryptedID').length > 0
  ) {
    throw new SamlLogoutError('malformed_message');
  }
  const nameId = (nameIds[0]!.textContent ?? '').trim();
  if (nameId === '') throw new SamlLogoutError('malformed_message');
  return {
    nameId,
    nameIdFormat: nameIds[0]!.getAttribute('Format') || null,
    sessionIndexes: indexes.map((e) => (e.textContent ?? '').trim()).filter((v) => v !== ''),
  };
}

/** A cache that knows one request id (the logout we started), or none. */
function oneIdCache(requestId: string | null): CacheProvider {
  return {
    saveAsync: async () => null,
    getAsync: async (key) => (requestId !== null && key === requestId ? new Date().toISOString() : null),
    removeAsync: async () => null,
  };
}

function nodeSamlConfig(
  s: SamlLogoutSettings,
  opts: { requestId?: string | null; signingKey?: SpSigningKey; newId?: string },
): SamlConfig {
  return {
    entryPoint: s.idpSloUrl ?? s.spSloUrl,
    logoutUrl: s.idpSloUrl ?? s.spSloUrl,
    issuer: s.spEntityId,
    callbackUrl: s.spSloUrl,
    audience: s.spEntityId,
    idpCert: s.idpCertificates.length > 0 ? s.idpCertificates : ['-'],
    idpIssuer: s.idpEntityId,
    acceptedClockSkewMs: s.clockSkewSeconds * 1000,
    validateInResponseTo: ValidateInResponseTo.always,
    cacheProvider: oneIdCache(opts.requestId ?? null),
    generateUniqueId: () => opts.newId ?? '',
    identifierFormat: null,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    wantAuthnResponseSigned: false,
    ...(opts.signingKey
      ? { privateKey: opts.signingKey.privateKeyPem, publicCert: opts.signingKey.certificatePem }
      : {}),
  };
}

/** node-saml with its POST signature check also taking a LogoutResponse (its own verifyLogoutResponse then runs). */
class LogoutSaml extends SAML {
  protected override async processValidlySignedPostRequestAsync(
    this: LogoutSaml,
    ...args: Parameters<SAML['processValidlySignedPostRequestAsync']>
  ) {
    const [doc] = args;
    if ((doc as { LogoutResponse?: unknown }).LogoutResponse !== undefined) {
      await this.verifyLogoutResponse(doc);
      return { profile: {} as Profile, loggedOut: true };
    }
    return super.processValidlySignedPostRequestAsync(...args);
  }
}

const ID = /^[A-Za-z_][A-Za-z0-9_.-]{15,127}$/;

function requireSlo(s: SamlLogoutSettings): void {
  if (s.idpSloUrl === null) throw new SamlLogoutError('slo_not_configured');
}

function requireId(id: string): void {
  // An xs:ID with enough entropy to be unguessable; the caller makes it.
  if (!ID.test(id)) throw new Error('a logout message id must be an XML ID of 16 to 128 characters');
}

export interface LogoutRequestInput {
  /** The new LogoutRequest's ID (the LogoutResponse's InResponseTo must equal it). */
  requestId: string;
  nameId: string;
  nameIdFormat: string | null;
  sessionIndex: string | null;
  relayState: string;
  /** The SP's signing key: the request is signed (HTTP-Redirect query signature) when given. */
  signingKey?: SpSigningKey;
}

/** The HTTP-Redirect URL that sends the member's browser to the IdP with our LogoutRequest. Makes no request. */
export async function buildLogoutRequestUrl(s: SamlLogoutSettings, input: LogoutRequestInput): Promise<string> {
  requireSlo(s);
  requireId(input.requestId);
  const saml = new SAML(
    nodeSamlConfig(s, { newId: input.requestId, ...(input.signingKey ? { signingKey: input.signingKey } : {}) }),
  );
  const user: Profile = {
    issuer: s.idpEntityId,
    nameID: input.nameId,
    nameIDFormat: input.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    ...(input.sessionIndex !== null ? { sessionIndex: input.sessionIndex } : {}),
  };
  return saml.getLogoutUrlAsync(user, input.relayState, {});
}

export interface LogoutResponseInput {
  /** Our LogoutResponse's own ID. */
  responseId: string;
  /** The IdP's LogoutRequest ID. */
  inResponseTo: string;
  relayState: string | null;
  success: boolean;
  signingKey?: SpSigningKey;
}

/** The HTTP-Redirect URL of our LogoutResponse to the IdP's SingleLogoutService. */
export async function buildLogoutResponseUrl(s: SamlLogoutSettings, input: LogoutResponseInput): Promise<string> {
  requireSlo(s);
  requireId(input.responseId);
  const saml = new SAML(
    nodeSamlConfig(s, { newId: input.responseId, ...(input.signingKey ? { signingKey: input.signingKey } : {}) }),
  );
  return saml.getLogoutResponseUrlAsync(
    { issuer: s.idpEntityId, nameID: '', nameIDFormat: '', ID: input.inResponseTo },
    input.relayState ?? '',
    {},
    input.success,
  );
}

async function nodeSaml<T>(call: () => Promise<T>, failure: SamlLogoutReason = 'invalid_signature'): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof SamlLogoutError) throw err;
    const message = err instanceof Error ? err.message : '';
    if (/Bad status code/.test(message)) throw new SamlLogoutError('idp_status_error');
    if (/InResponseTo/.test(message)) throw new SamlLogoutError('in_response_to_mismatch');
    if (/issuer/i.test(message)) throw new SamlLogoutError('wrong_issuer');
    if (/expired|not yet valid/i.test(message)) throw new SamlLogoutError('stale');
    throw new SamlLogoutError(failure);
  }
}

/** Reads and fully verifies one incoming message of `kind`; `expectedRequestId` is required for a response. */
async function verifyMessage(
  s: SamlLogoutSettings,
  input: LogoutMessageInput,
  kind: 'LogoutRequest' | 'LogoutResponse',
  expectedRequestId: string | null,
  nowMs: number,
): Promise<{ root: Element; relayState: string | null; issued: Date }> {
  if (s.idpCertificates.length === 0) throw new SamlLogoutError('certificate_expired');
  const field = kind === 'LogoutRequest' ? 'SAMLRequest' : 'SAMLResponse';
  const saml = new LogoutSaml(nodeSamlConfig(s, { requestId: expectedRequestId }));
  if (input.binding === 'redirect') {
    const { raw, values } = redirectFields(input.rawQuery);
    const message = values[field];
    if (message === undefined) throw new SamlLogoutError('malformed_message');
    const root = checkedRoot(utf8Xml(inflateCapped(base64Bytes(message))), kind);
    if (childElements(root, DSIG_NS, 'Signature').length > 0) throw new SamlLogoutError('malformed_message');
    if (values.Signature === undefined || values.SigAlg === undefined) throw new SamlLogoutError('unsigned');
    if (!ALLOWED_SIG_ALGS.has(values.SigAlg)) throw new SamlLogoutError('weak_algorithm');
    const issued = checkEnvelope(root, s, nowMs);
    // The signed octets are the parameters as received, in the binding's order (SAML Bindings §3.4.4.1).
    const signedQuery = [raw[field], raw.RelayState, raw.SigAlg, raw.Signature].filter(Boolean).join('&');
    const container: Record<string, string> = { [field]: message, SigAlg: values.SigAlg, Signature: values.Signature };
    if (values.RelayState !== undefined) container.RelayState = values.RelayState;
    await nodeSaml(() => saml.validateRedirectAsync(container, signedQuery));
    return { root, relayState: values.RelayState ?? null, issued };
  }
  const message = input.form[field];
  if (message === undefined) throw new SamlLogoutError('malformed_message');
  const xml = utf8Xml(base64Bytes(message));
  const root = checkedRoot(xml, kind);
  if (childElements(root, DSIG_NS, 'Signature').length !== 1) throw new SamlLogoutError('unsigned');
  const issued = checkEnvelope(root, s, nowMs);
  await nodeSaml(() => saml.validatePostRequestAsync({ SAMLRequest: Buffer.from(xml, 'utf8').toString('base64') }));
  return { root, relayState: input.form.RelayState ?? null, issued };
}

/** The IdP's LogoutRequest (Redirect or POST), verified; single use of its ID is the caller's. */
export async function verifyLogoutRequest(
  s: SamlLogoutSettings,
  input: LogoutMessageInput,
  nowMs: number,
): Promise<VerifiedLogoutRequest> {
  const { root, relayState, issued } = await verifyMessage(s, input, 'LogoutRequest', null, nowMs);
  const id = root.getAttribute('ID') ?? '';
  if (id === '' || id.length > 256) throw new SamlLogoutError('malformed_message');
  return { kind: 'request', id, ...readSubject(root), relayState, issueInstant: issued };
}

/** The IdP's LogoutResponse to the LogoutRequest `expectedRequestId` we sent: signed, Success, answering it. */
export async function verifyLogoutResponse(
  s: SamlLogoutSettings,
  input: LogoutMessageInput,
  expectedRequestId: string,
  nowMs: number,
): Promise<VerifiedLogoutResponse> {
  const { root, relayState } = await verifyMessage(s, input, 'LogoutResponse', expectedRequestId, nowMs);
  const inResponseTo = root.getAttribute('InResponseTo');
  if (inResponseTo !== expectedRequestId) throw new SamlLogoutError('in_response_to_mismatch');
  return { kind: 'response', inResponseTo, relayState };
}
