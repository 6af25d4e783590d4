/**
 * Reads the signed assertion (the XML that the signature check returned, never the received document) into the
 * member's identity, and runs the checks node-saml leaves to the caller: Issuer, bearer SubjectConfirmation with
 * Recipient = ACS URL and InResponseTo = this login's request id, an assertion ID and an expiry.
 */
import { SamlError } from './errors';
import { DEFAULT_ATTRIBUTE_NAMES, type ParsedSamlSettings } from './settings';
import { childElements, parseStrict, SAML_NS } from './xml-guard';

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
/**
 * The `unspecified` NameID format. SAML 2.0 defines only the 1.1 URN; JumpCloud's default is a `1.0` spelling and
 * some IdPs send a `2.0` one, which mean the same.
 */
const UNSPECIFIED_FORMATS: ReadonlySet<string> = new Set([
  'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  'urn:oasis:names:tc:SAML:1.0:nameid-format:unspecified',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:unspecified',
]);
const TRANSIENT_FORMAT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

/**
 * An address-shaped value: a local part without spaces, quotes or brackets, one `@`, and a dotted DNS domain.
 * Deliberately narrower than RFC 5322: an `unspecified` NameID is a login name at many IdPs, and only one that is
 * plainly an address becomes the member's email.
 */
const EMAIL_SHAPE = /^[^\s@<>()[\]",;:\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;
const EMAIL_MAX = 254;

export function isEmailShaped(value: string): boolean {
  return value.length <= EMAIL_MAX && EMAIL_SHAPE.test(value);
}

export interface SamlIdentity {
  nameId: string;
  nameIdFormat: string | null;
  email: string | null;
  name: string | null;
  /**
   * The stable subject: the configured `sub` attribute; else the NameID unless it is transient; else the first
   * of `DEFAULT_ATTRIBUTE_NAMES.sub` sent (none: refused with `transient_subject`).
   */
  sub: string;
  groups: string[];
  /** Every attribute with its text values. */
  attributes: Record<string, string[]>;
  sessionIndex: string | null;
  assertionId: string;
  /** When the assertion stops being usable (the earliest NotOnOrAfter of the subject confirmation and the conditions). */
  notOnOrAfter: Date;
  /** The assertion's IssueInstant (null when unreadable; an unsolicited response needs one). */
  issueInstant: Date | null;
  /** The Conditions window as sent (for the sign-in log's trace). */
  conditions: { notBefore: Date | null; notOnOrAfter: Date | null };
  issuer: string;
  /**
   * The IdP's own session end (the earliest `SessionNotOnOrAfter` of the AuthnStatements), null when it sets
   * none: the member's session must not outlive it.
   */
  sessionNotOnOrAfter: Date | null;
}

function one(parent: Element, name: string): Element | undefined {
  return childElements(parent, SAML_NS, name)[0];
}

function text(el: Element | undefined): string | null {
  // textContent joins text around comments, so a comment cannot truncate a value (the signed value is read whole).
  const value = el?.textContent?.trim();
  return value ? value : null;
}

function parseTime(value: string | null): number | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : null;
}

function readAttributes(assertion: Element): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const statement of childElements(assertion, SAML_NS, 'AttributeStatement')) {
    for (const attribute of childElements(statement, SAML_NS, 'Attribute')) {
      const name = attribute.getAttribute('Name');
      if (!name) continue;
      const values = childElements(attribute, SAML_NS, 'AttributeValue')
        .map((v) => text(v))
        .filter((v): v is string => v !== null);
      out[name] = [...(out[name] ?? []), ...values];
    }
  }
  return out;
}

function pick(attributes: Record<string, string[]>, names: readonly string[]): string[] {
  for (const name of names) {
    const values = attributes[name];
    if (values && values.length > 0) return values;
  }
  return [];
}

export interface AssertionExpectations {
  settings: ParsedSamlSettings;
  /** The login's request id; null for an unsolicited (IdP-initiated) response, which must answer none. */
  expectedRequestId: string | null;
  nowMs: number;
}

export function readSignedAssertion(
  signedAssertionXml: string,
  { settings, expectedRequestId, nowMs }: AssertionExpectations,
): SamlIdentity {
  const assertion = parseStrict(signedAssertionXml).documentElement;
  if (!assertion || assertion.namespaceURI !== SAML_NS || assertion.localName !== 'Assertion')
    throw new SamlError('invalid_signature');
  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) throw new SamlError('malformed_response');

  if (text(one(assertion, 'Issuer')) !== settings.idpEntityId) throw new SamlError('wrong_issuer');

  const subject = one(assertion, 'Subject');
  if (!subject) throw new SamlError('missing_subject');
  const nameIdEl = one(subject, 'NameID');
  const nameId = text(nameIdEl);
  if (!nameIdEl || !nameId) throw new SamlError('missing_subject');
  const nameIdFormat = nameIdEl.getAttribute('Format') || null;

  // A bearer confirmation addressed to this ACS for this login; node-saml has already checked its times.
  const skewMs = settings.clockSkewSeconds * 1000;
  const confirmations = childElements(subject, SAML_NS, 'SubjectConfirmation')
    .filter((c) => c.getAttribute('Method') === BEARER)
    .map((c) => one(c, 'SubjectConfirmationData'))
    .filter((d): d is Element => d !== undefined);
  if (confirmations.length === 0) throw new SamlError('wrong_recipient', 'It has no bearer SubjectConfirmationData.');
  const forUs = confirmations.filter((d) => d.getAttribute('Recipient') === settings.spAcsUrl);
  if (forUs.length === 0) throw new SamlError('wrong_recipient');
  // Unsolicited: the confirmation must answer no request at all (an answer to some login is never IdP-initiated).
  const answering = forUs.filter((d) =>
    expectedRequestId === null ? !d.getAttribute('InResponseTo') : d.getAttribute('InResponseTo') === expectedRequestId,
  );
  if (answering.length === 0) {
    if (expectedRequestId === null) throw new SamlError('in_response_to_mismatch');
    throw new SamlError(
      forUs.some((d) => d.getAttribute('InResponseTo')) ? 'in_response_to_mismatch' : 'in_response_to_missing',
    );
  }
  const confirmation = answering[0]!;
  const confirmationEnd = parseTime(confirmation.getAttribute('NotOnOrAfter'));
  if (confirmationEnd === null) throw new SamlError('expired', 'The subject confirmation has no NotOnOrAfter.');
  if (nowMs - skewMs >= confirmationEnd) throw new SamlError('expired');

  const conditions = one(assertion, 'Conditions');
  if (!conditions) throw new SamlError('wrong_audience', 'The assertion has no Conditions.');
  const conditionsEnd = parseTime(conditions.getAttribute('NotOnOrAfter'));
  const notOnOrAfter = new Date(conditionsEnd === null ? confirmationEnd : Math.min(confirmationEnd, conditionsEnd));
  const conditionsStart = parseTime(conditions.getAttribute('NotBefore'));
  const issueInstant = parseTime(assertion.getAttribute('IssueInstant'));

  const attributes = readAttributes(assertion);
  const names = settings.attributeNames;
  const first = (configured: readonly string[] | undefined, defaults: readonly string[]) =>
    pick(attributes, configured ?? defaults)[0] ?? null;

  const emailAttr = first(names.email, DEFAULT_ATTRIBUTE_NAMES.email);
  const email = emailAttr ?? emailFromNameId(nameId, nameIdFormat);
  const given = first(names.givenName, DEFAULT_ATTRIBUTE_NAMES.givenName);
  const surname = first(names.surname, DEFAULT_ATTRIBUTE_NAMES.surname);
  // A display name, else given name + surname; Entra's `name` claim (its UPN) only when neither was sent.
  const name =
    first(names.name, DEFAULT_ATTRIBUTE_NAMES.name) ??
    ([given, surname].filter(Boolean).join(' ') || null) ??
    (names.name ? null : first(undefined, DEFAULT_ATTRIBUTE_NAMES.nameFallback));
  const sub = subjectOf(nameId, nameIdFormat, names.sub, (list) => first(undefined, list));
  const groups = pick(attributes, names.groups ?? DEFAULT_ATTRIBUTE_NAMES.groups);

  const authnStatements = childElements(assertion, SAML_NS, 'AuthnStatement');
  const sessionEnd = idpSessionEnd(authnStatements);
  // The IdP's session is already over: a session opened now would outlive it.
  if (sessionEnd !== null && sessionEnd <= nowMs) throw new SamlError('idp_session_ended');
  const authn = authnStatements[0];
  return {
    nameId,
    nameIdFormat,
    email,
    name,
    sub,
    groups,
    attributes: { ...attributes },
    sessionIndex: authn?.getAttribute('SessionIndex') || null,
    assertionId,
    notOnOrAfter,
    issueInstant: issueInstant === null ? null : new Date(issueInstant),
    conditions: {
      notBefore: conditionsStart === null ? null : new Date(conditionsStart),
      notOnOrAfter: conditionsEnd === null ? null : new Date(conditionsEnd),
    },
    issuer: settings.idpEntityId,
    sessionNotOnOrAfter: sessionEnd === null ? null : new Date(sessionEnd),
  };
}

/** The earliest SessionNotOnOrAfter of the AuthnStatements (ms), null when none sets one. */
function idpSessionEnd(authnStatements: Element[]): number | null {
  let end: number | null = null;
  for (const statement of authnStatements) {
    const value = statement.getAttribute('SessionNotOnOrAfter');
    if (!value) continue;
    const t = parseTime(value);
    // Unreadable: refused rather than ignored, since ignoring it would let the session outlive the IdP's.
    if (t === null) throw new SamlError('malformed_response', 'Its SessionNotOnOrAfter is not a valid time.');
    end = end === null ? t : Math.min(end, t);
  }
  return end;
}

/**
 * The NameID as the member's email when no email attribute was sent: in the emailAddress format; in the
 * `unspecified` format (the default of Google Workspace, Okta, PingFederate, JumpCloud) when it is address-shaped;
 * with no format when it
 * has an `@`.
 * Either way it is only a claim, settled by email trust (../features/login/email-trust.ts) like any SAML email.
 */
function emailFromNameId(nameId: string, format: string | null): string | null {
  if (format === EMAIL_FORMAT) return nameId;
  if (format !== null && UNSPECIFIED_FORMATS.has(format) && isEmailShaped(nameId)) return nameId;
  // No format at all: any value with an `@`, as this service has always read it.
  if (format === null && nameId.includes('@')) return nameId;
  return null;
}

/**
 * The member's stable subject. A configured `sub` attribute wins (missing: refused). Otherwise the NameID, as
 * it always was, unless it is transient (a new value at every sign-in, which would make a new member each
 * time): then the first of `DEFAULT_ATTRIBUTE_NAMES.sub` sent, and with none the sign-in is refused.
 */
function subjectOf(
  nameId: string,
  format: string | null,
  configured: readonly string[] | undefined,
  firstOf: (names: readonly string[]) => string | null,
): string {
  if (configured) {
    const value = firstOf(configured);
    if (!value) throw new SamlError('missing_subject', 'The configured subject attribute is missing.');
    return value;
  }
  if (format !== TRANSIENT_FORMAT) return nameId;
  const stable = firstOf(DEFAULT_ATTRIBUTE_NAMES.sub);
  if (!stable) throw new SamlError('transient_subject');
  return stable;
}
