/**
 * SAML responses shaped as the big IdP vendors send them by default (NameID format, attribute names and name
 * formats, namespace prefixes, AuthnStatement), each built from the vendor's published documentation (cited per
 * profile), and signed by Debian's `xmlsec1` (libxmlsec1), not by the xml-crypto/node-saml stack the service
 * verifies with: a fixture proves the service accepts what an independent signer produces, not merely what its
 * own library writes.
 *
 * Each fixture signs what its vendor signs by default (`signs`: the assertion, the Response, or both; enveloped,
 * exclusive c14n, RSA-SHA256, SHA-256 digest, the certificate in KeyInfo). With both, the assertion is signed
 * first and the Response signature covers it, as an IdP does.
 *
 * Values in profiles are made up (example domains); only their shape follows the vendor.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DOMParser } from '@xmldom/xmldom';
import { join } from 'node:path';
import { generateSigningKey, type SamlSigningKey } from '@/lib/dev-idp/saml/keys';

const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SAMLP_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const ATTRNAME_URI = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
const ATTRNAME_BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';
const ATTRNAME_UNSPECIFIED = 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified';

export const NAMEID = {
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
} as const;

export interface VendorAttribute {
  name: string;
  values: string[];
  nameFormat?: string;
  friendlyName?: string;
  /** `xsi:type="xs:string"` on each value, as some vendors write it. */
  typed?: boolean;
}

export interface VendorProfile {
  vendor: string;
  /** Where the default shape comes from: page title and URL. */
  docs: string[];
  idpEntityId: string;
  idpSsoUrl: string;
  nameId: { value: string; format: string | null };
  attributes: VendorAttribute[];
  /** The vendor's namespace prefixes ('' = the default namespace, as Microsoft writes it). */
  prefixes: { saml: string; samlp: string; ds: string };
  /** What the vendor signs by default, and so what the fixture signs. */
  signs: 'assertion' | 'response' | 'response and assertion';
  /** The AuthnStatement's SessionNotOnOrAfter, as an offset from now, when the vendor sends one by default. */
  sessionMinutes?: number;
}

const ENTRA_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const ENTRA_OBJECT_ID = '5f1c7b3e-2d0a-4c7e-9d31-6a8f0e4b2c11';

/** The vendors' default shapes. `expected` values are asserted by tests/integration/saml-vendor-defaults.test.ts. */
export const VENDOR_PROFILES = {
  /**
   * Microsoft Entra ID, an enterprise application with the default "Attributes & Claims": NameID =
   * user.userprincipalname, `…/claims/emailaddress` = user.mail, `…/claims/givenname`, `…/claims/surname`,
   * `…/claims/name` = user.userprincipalname (the UPN), plus the claims Entra always adds (objectidentifier,
   * tenantid, identityprovider, authnmethodsreferences). Entra signs the assertion by default.
   */
  entra: {
    vendor: 'Microsoft Entra ID',
    docs: [
      'Customize SAML token claims — https://learn.microsoft.com/entra/identity-platform/saml-claims-customization',
      'SAML token claims reference — https://learn.microsoft.com/entra/identity-platform/reference-saml-tokens',
    ],
    idpEntityId: `https://sts.windows.net/${ENTRA_TENANT}/`,
    idpSsoUrl: `https://login.microsoftonline.com/${ENTRA_TENANT}/saml2`,
    nameId: { value: 'alice.anderson@contoso.example', format: NAMEID.email },
    attributes: [
      { name: 'http://schemas.microsoft.com/identity/claims/tenantid', values: [ENTRA_TENANT] },
      { name: 'http://schemas.microsoft.com/identity/claims/objectidentifier', values: [ENTRA_OBJECT_ID] },
      {
        name: 'http://schemas.microsoft.com/identity/claims/identityprovider',
        values: [`https://sts.windows.net/${ENTRA_TENANT}/`],
      },
      {
        name: 'http://schemas.microsoft.com/claims/authnmethodsreferences',
        values: ['http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password'],
      },
      { name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname', values: ['Alice'] },
      { name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname', values: ['Anderson'] },
      { name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', values: ['alice@contoso.example'] },
      {
        name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
        values: ['alice.anderson@contoso.example'],
      },
    ],
    prefixes: { saml: '', samlp: 'samlp', ds: '' },
    signs: 'assertion',
  },
  /**
   * Okta, a SAML 2.0 app from the Application Integration Wizard with its defaults: Name ID format Unspecified,
   * Application username = Okta username (the sign-in, an email address), no attribute statements. Okta signs
   * the response and the assertion by default.
   */
  okta: {
    vendor: 'Okta',
    docs: [
      'Application Integration Wizard SAML field reference — https://help.okta.com/en-us/content/topics/apps/aiw-saml-reference.htm',
    ],
    idpEntityId: 'http://www.okta.com/exk1fcia6d6EMsf331d8',
    idpSsoUrl: 'https://acme.okta.example/app/acme_grantex_1/exk1fcia6d6EMsf331d8/sso/saml',
    nameId: { value: 'bob@acme.example', format: NAMEID.unspecified },
    attributes: [],
    prefixes: { saml: 'saml2', samlp: 'saml2p', ds: 'ds' },
    signs: 'response and assertion',
  },
  /**
   * Google Workspace, a custom SAML app with the defaults: Name ID format UNSPECIFIED, Name ID = Basic
   * Information > Primary email, no attribute mapping; "Signed response" unchecked, so only the assertion is
   * signed.
   */
  google: {
    vendor: 'Google Workspace',
    docs: [
      'Set up your own custom SAML app — https://support.google.com/a/answer/6087519',
      'SAML app error messages / SSO assertion requirements — https://support.google.com/a/answer/6330801',
    ],
    idpEntityId: 'https://accounts.google.com/o/saml2?idpid=C01abcd2e',
    idpSsoUrl: 'https://accounts.google.com/o/saml2/idp?idpid=C01abcd2e',
    nameId: { value: 'carol@example-school.example', format: NAMEID.unspecified },
    attributes: [],
    prefixes: { saml: 'saml2', samlp: 'saml2p', ds: 'ds' },
    signs: 'assertion',
  },
  /**
   * AD FS, a relying party trust with the usual rules (AD FS has no default claims): "Send LDAP Attributes as
   * Claims" (E-Mail-Addresses → E-Mail Address, User-Principal-Name → UPN, Given-Name → Given Name, Surname →
   * Surname) and "Transform an Incoming Claim" (E-Mail Address → Name ID, format Email). AD FS signs the
   * assertion by default (SamlResponseSignature AssertionOnly).
   */
  adfs: {
    vendor: 'AD FS',
    docs: [
      'Create a Rule to Send LDAP Attributes as Claims — https://learn.microsoft.com/windows-server/identity/ad-fs/operations/create-a-rule-to-send-ldap-attributes-as-claims',
      'Create a Rule to Transform an Incoming Claim — https://learn.microsoft.com/windows-server/identity/ad-fs/operations/create-a-rule-to-transform-an-incoming-claim',
      'Set-AdfsRelyingPartyTrust (-SamlResponseSignature) — https://learn.microsoft.com/powershell/module/adfs/set-adfsrelyingpartytrust',
    ],
    idpEntityId: 'http://adfs.fabrikam.example/adfs/services/trust',
    idpSsoUrl: 'https://adfs.fabrikam.example/adfs/ls/',
    nameId: { value: 'dave@fabrikam.example', format: NAMEID.email },
    attributes: [
      { name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', values: ['dave@fabrikam.example'] },
      { name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', values: ['dave@corp.fabrikam.example'] },
      { name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname', values: ['Dave'] },
      { name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname', values: ['Davis'] },
    ],
    prefixes: { saml: '', samlp: 'samlp', ds: 'ds' },
    signs: 'assertion',
  },
  /**
   * OneLogin, the SAML Custom Connector (Advanced) with its default parameters: NameID = Email (format
   * Unspecified), attributes `User.email`, `User.FirstName`, `User.LastName` in the basic name format; OneLogin
   * signs the assertion by default ("SAML signature element: Assertion") and sets SessionNotOnOrAfter.
   */
  onelogin: {
    vendor: 'OneLogin',
    docs: [
      'OneLogin Developers, SAML (toolkits and the SAML Test Connector (IdP w/ attr): User.email, User.FirstName, User.LastName) — https://developers.onelogin.com/saml',
    ],
    idpEntityId: 'https://app.onelogin.com/saml/metadata/6c1b2f1e-5d2a-4a8b-9f0e-1e2d3c4b5a69',
    idpSsoUrl: 'https://acme.onelogin.example/trust/saml2/http-redirect/sso/6c1b2f1e-5d2a-4a8b-9f0e-1e2d3c4b5a69',
    nameId: { value: 'erin@acme.example', format: NAMEID.unspecified },
    attributes: [
      { name: 'User.email', values: ['erin@acme.example'], nameFormat: ATTRNAME_BASIC },
      { name: 'User.FirstName', values: ['Erin'], nameFormat: ATTRNAME_BASIC },
      { name: 'User.LastName', values: ['Evans'], nameFormat: ATTRNAME_BASIC },
    ],
    prefixes: { saml: 'saml', samlp: 'samlp', ds: 'ds' },
    signs: 'assertion',
    sessionMinutes: 24 * 60,
  },
  /**
   * Keycloak, a SAML client with the defaults: Name ID format "username" (sent as `unspecified`), the realm's
   * built-in X500 mappers added for email, given name and surname (`urn:oid:1.2.840.113549.1.9.1`,
   * `urn:oid:2.5.4.42`, `urn:oid:2.5.4.4`, name format URI), the default `role_list` scope's Role attribute.
   * Keycloak signs the document (Response) by default, not the assertion; it sets SessionNotOnOrAfter to the
   * realm's SSO Session Max (10 hours by default).
   */
  keycloak: {
    vendor: 'Keycloak',
    docs: [
      'Server Administration Guide, Creating a SAML client (Name ID format, Sign documents, Sign assertions) — https://www.keycloak.org/docs/latest/server_admin/#_client-saml-configuration',
      'Server Administration Guide, Protocol mappers (X500 email, givenName, surname) — https://www.keycloak.org/docs/latest/server_admin/#_protocol-mappers',
    ],
    idpEntityId: 'https://keycloak.acme.example/realms/acme',
    idpSsoUrl: 'https://keycloak.acme.example/realms/acme/protocol/saml',
    nameId: { value: 'frank', format: NAMEID.unspecified },
    attributes: [
      { name: 'Role', values: ['default-roles-acme'], nameFormat: ATTRNAME_BASIC, typed: true },
      {
        name: 'urn:oid:1.2.840.113549.1.9.1',
        friendlyName: 'email',
        values: ['frank@acme.example'],
        nameFormat: ATTRNAME_URI,
        typed: true,
      },
      { name: 'urn:oid:2.5.4.42', friendlyName: 'givenName', values: ['Frank'], nameFormat: ATTRNAME_URI, typed: true },
      { name: 'urn:oid:2.5.4.4', friendlyName: 'surname', values: ['Foster'], nameFormat: ATTRNAME_URI, typed: true },
    ],
    prefixes: { saml: 'saml', samlp: 'samlp', ds: 'dsig' },
    signs: 'response',
    sessionMinutes: 10 * 60,
  },
  /**
   * Shibboleth IdP 4/5 with its defaults: a transient NameID (idp.nameid.saml2.default), attributes in the URI
   * name format with friendly names (the default attribute registry's transcoding), here eduPersonPrincipalName,
   * mail and displayName. Shibboleth signs the Response by default (signResponses), not the assertion.
   */
  shibboleth: {
    vendor: 'Shibboleth IdP',
    docs: [
      'NameIDGenerationConfiguration (idp.nameid.saml2.default = transient) — https://shibboleth.atlassian.net/wiki/spaces/IDP4/pages/1265631671/NameIDGenerationConfiguration',
      'AttributeRegistryConfiguration (default SAML 2 transcoding: urn:oid names, URI name format) — https://shibboleth.atlassian.net/wiki/spaces/IDP4/pages/1265631512/AttributeRegistryConfiguration',
      'SAML2SSOConfiguration (signResponses true, signAssertions false) — https://shibboleth.atlassian.net/wiki/spaces/IDP4/pages/1265631677/SAML2SSOConfiguration',
    ],
    idpEntityId: 'https://idp.example-university.example/idp/shibboleth',
    idpSsoUrl: 'https://idp.example-university.example/idp/profile/SAML2/Redirect/SSO',
    // A transient NameID is new at every sign-in: vendorResponseTemplate makes a fresh one each time.
    nameId: { value: 'AAdzZWNyZXQx', format: NAMEID.transient },
    attributes: [
      {
        name: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
        friendlyName: 'eduPersonPrincipalName',
        values: ['grace@example-university.example'],
        nameFormat: ATTRNAME_URI,
      },
      {
        name: 'urn:oid:0.9.2342.19200300.100.1.3',
        friendlyName: 'mail',
        values: ['grace.green@example-university.example'],
        nameFormat: ATTRNAME_URI,
      },
      {
        name: 'urn:oid:2.16.840.1.113730.3.1.241',
        friendlyName: 'displayName',
        values: ['Grace Green'],
        nameFormat: ATTRNAME_URI,
      },
    ],
    prefixes: { saml: 'saml2', samlp: 'saml2p', ds: 'ds' },
    signs: 'response',
  },
  /**
   * PingFederate, an SP connection with the standard identity mapping: the built-in SAML_SUBJECT (here mapped
   * from the directory's mail) in the default `unspecified` name format and no extended contract. PingFederate
   * signs the Response by default; "Always sign the SAML assertion" is an option.
   */
  pingfederate: {
    vendor: 'PingFederate',
    docs: [
      'Setting up an attribute contract (SAML_SUBJECT, subject name format) — https://docs.pingidentity.com/pingfederate/latest/administrators_reference_guide/help_assertioncreationtasklet_createattributecontractstate.html',
      'Specifying signature policy — https://docs.pingidentity.com/pingfederate/latest/administrators_reference_guide/help_signaturepolicystate.html',
    ],
    idpEntityId: 'https://pingfederate.acme.example',
    idpSsoUrl: 'https://pingfederate.acme.example/idp/SSO.saml2',
    nameId: { value: 'heidi@acme.example', format: NAMEID.unspecified },
    attributes: [],
    prefixes: { saml: 'saml', samlp: 'samlp', ds: 'ds' },
    signs: 'response',
  },
  /**
   * JumpCloud, the Custom SAML App connector with its defaults: SAMLSubject NameID = the user's email, NameID
   * format `urn:oasis:names:tc:SAML:1.0:nameid-format:unspecified` (JumpCloud's spelling of unspecified), no
   * user attributes; signs the assertion by default.
   */
  jumpcloud: {
    vendor: 'JumpCloud',
    docs: [
      'SSO Application Connector Fields (SAMLSubject NameID defaults to the email) — https://jumpcloud.com/support/sso-application-connector-fields',
      'SSO using Custom SAML Application Connectors — https://jumpcloud.com/support/sso-using-custom-saml-application-connectors',
    ],
    idpEntityId: 'JumpCloud',
    idpSsoUrl: 'https://sso.jumpcloud.com/saml2/grantex',
    nameId: { value: 'ivan@acme.example', format: 'urn:oasis:names:tc:SAML:1.0:nameid-format:unspecified' },
    attributes: [],
    prefixes: { saml: 'saml2', samlp: 'saml2p', ds: 'ds' },
    signs: 'assertion',
  },
} satisfies Record<string, VendorProfile>;

export type VendorName = keyof typeof VENDOR_PROFILES;

const keys = new Map<string, SamlSigningKey>();
/** Each vendor's IdP signing key and self-signed certificate (made once per test file, with openssl). */
export function vendorKey(vendor: string): SamlSigningKey {
  let key = keys.get(vendor);
  if (!key) {
    key = generateSigningKey(`${vendor} fixture IdP`);
    keys.set(vendor, key);
  }
  return key;
}

export interface VendorResponseInput {
  /** The AuthnRequest ID the response answers (InResponseTo). */
  requestId: string;
  spEntityId: string;
  acsUrl: string;
  now?: Date;
  /** Overrides the profile's SessionNotOnOrAfter (null: none). */
  sessionNotOnOrAfter?: Date | null;
  /** Replaces the profile's NameID or attributes (e.g. a transient NameID with nothing else released). */
  nameId?: VendorProfile['nameId'];
  attributes?: VendorAttribute[];
  /** Overrides what is signed (the profile's `signs`). */
  signs?: VendorProfile['signs'];
}

const esc = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const newId = () => `_${randomUUID()}`;

/** The unsigned response with empty signature templates where the vendor signs (xmlsec1 fills them in). */
export function vendorResponseTemplate(profile: VendorProfile, input: VendorResponseInput): string {
  const now = input.now ?? new Date();
  const minutes = (n: number) => new Date(now.getTime() + n * 60_000);
  const { saml, samlp, ds } = profile.prefixes;
  const a = (name: string) => (saml ? `${saml}:${name}` : name);
  const p = (name: string) => `${samlp}:${name}`;
  const d = (name: string) => (ds ? `${ds}:${name}` : name);
  // A default-namespace vendor declares the namespace on the elements themselves, as Microsoft writes it.
  const samlNsOn = saml ? '' : ` xmlns="${SAML_NS}"`;
  const rootNs = [`xmlns:${samlp}="${SAMLP_NS}"`, saml ? `xmlns:${saml}="${SAML_NS}"` : ''].filter(Boolean).join(' ');
  const typedNs = ' xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
  const assertionId = newId();
  const responseId = newId();
  const signs = input.signs ?? profile.signs;
  const signsResponse = signs !== 'assertion';
  const signsAssertion = signs !== 'response';
  const given = input.nameId ?? profile.nameId;
  const nameId =
    given.format === NAMEID.transient
      ? { ...given, value: `${given.value}${randomBytes(24).toString('base64')}` }
      : given;
  const attributes = input.attributes ?? profile.attributes;
  const sessionEnd =
    input.sessionNotOnOrAfter !== undefined
      ? input.sessionNotOnOrAfter
      : profile.sessionMinutes !== undefined
        ? minutes(profile.sessionMinutes)
        : null;

  const attributeXml = attributes
    .map((attr) => {
      const extra = [
        attr.nameFormat ? ` NameFormat="${esc(attr.nameFormat)}"` : '',
        attr.friendlyName ? ` FriendlyName="${esc(attr.friendlyName)}"` : '',
      ].join('');
      const values = attr.values
        .map(
          (v) =>
            `<${a('AttributeValue')}${attr.typed ? `${typedNs} xsi:type="xs:string"` : ''}>${esc(v)}</${a('AttributeValue')}>`,
        )
        .join('');
      return `<${a('Attribute')} Name="${esc(attr.name)}"${extra}>${values}</${a('Attribute')}>`;
    })
    .join('');

  const signatureTemplate = (referenceId: string) =>
    `<${d('Signature')}${ds ? ` xmlns:${ds}="${DSIG_NS}"` : ` xmlns="${DSIG_NS}"`}>` +
    `<${d('SignedInfo')}>` +
    `<${d('CanonicalizationMethod')} Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>` +
    `<${d('SignatureMethod')} Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
    `<${d('Reference')} URI="#${referenceId}">` +
    `<${d('Transforms')}>` +
    `<${d('Transform')} Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>` +
    `<${d('Transform')} Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>` +
    `</${d('Transforms')}>` +
    `<${d('DigestMethod')} Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>` +
    `<${d('DigestValue')}/>` +
    `</${d('Reference')}>` +
    `</${d('SignedInfo')}>` +
    `<${d('SignatureValue')}/>` +
    `<${d('KeyInfo')}><${d('X509Data')}/></${d('KeyInfo')}>` +
    `</${d('Signature')}>`;

  const nameIdFormat = nameId.format ? ` Format="${esc(nameId.format)}"` : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<${p('Response')} ${rootNs} ID="${responseId}" Version="2.0" IssueInstant="${iso(now)}" Destination="${esc(input.acsUrl)}" InResponseTo="${esc(input.requestId)}">` +
    `<${a('Issuer')}${samlNsOn}>${esc(profile.idpEntityId)}</${a('Issuer')}>` +
    (signsResponse ? signatureTemplate(responseId) : '') +
    `<${p('Status')}><${p('StatusCode')} Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></${p('Status')}>` +
    `<${a('Assertion')}${samlNsOn} ID="${assertionId}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<${a('Issuer')}>${esc(profile.idpEntityId)}</${a('Issuer')}>` +
    (signsAssertion ? signatureTemplate(assertionId) : '') +
    `<${a('Subject')}>` +
    `<${a('NameID')}${nameIdFormat}>${esc(nameId.value)}</${a('NameID')}>` +
    `<${a('SubjectConfirmation')} Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<${a('SubjectConfirmationData')} InResponseTo="${esc(input.requestId)}" NotOnOrAfter="${iso(minutes(5))}" Recipient="${esc(input.acsUrl)}"/>` +
    `</${a('SubjectConfirmation')}>` +
    `</${a('Subject')}>` +
    `<${a('Conditions')} NotBefore="${iso(minutes(-5))}" NotOnOrAfter="${iso(minutes(60))}">` +
    `<${a('AudienceRestriction')}><${a('Audience')}>${esc(input.spEntityId)}</${a('Audience')}></${a('AudienceRestriction')}>` +
    `</${a('Conditions')}>` +
    `<${a('AuthnStatement')} AuthnInstant="${iso(now)}" SessionIndex="${newId()}"${sessionEnd ? ` SessionNotOnOrAfter="${iso(sessionEnd)}"` : ''}>` +
    `<${a('AuthnContext')}><${a('AuthnContextClassRef')}>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</${a('AuthnContextClassRef')}></${a('AuthnContext')}>` +
    `</${a('AuthnStatement')}>` +
    (attributeXml ? `<${a('AttributeStatement')}>${attributeXml}</${a('AttributeStatement')}>` : '') +
    `</${a('Assertion')}>` +
    `</${p('Response')}>`
  );
}

/**
 * Fills the signature templates of `xml` with xmlsec1 and the given key: the assertion's first (when there is one),
 * then the Response's, whose digest then covers the signed assertion. The certificate goes into KeyInfo/X509Data as
 * the vendors send it. Files live in a private temp directory, removed afterwards.
 */
export function signWithXmlsec(xml: string, key: SamlSigningKey): string {
  const dir = mkdtempSync(join(tmpdir(), 'vendor-saml-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    writeFileSync(keyFile, key.privateKeyPem, { mode: 0o600 });
    writeFileSync(certFile, key.certificatePem);
    const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
    const signatureIn = (parent: Element | undefined) =>
      Array.from(parent?.childNodes ?? []).some((n) => n.nodeType === 1 && (n as Element).localName === 'Signature');
    const assertion = Array.from(root.childNodes).find(
      (n) => n.nodeType === 1 && (n as Element).localName === 'Assertion',
    );
    const templates = [
      signatureIn(assertion as Element | undefined)
        ? "/*/*[local-name()='Assertion']/*[local-name()='Signature']"
        : null,
      signatureIn(root) ? "/*/*[local-name()='Signature']" : null,
    ];
    let signed = xml;
    for (const [i, xpath] of templates.entries()) {
      if (xpath === null) continue;
      const inFile = join(dir, `in-${i}.xml`);
      const outFile = join(dir, `out-${i}.xml`);
      writeFileSync(inFile, signed);
      execFileSync(
        'xmlsec1',
        [
          '--sign',
          '--privkey-pem',
          `${keyFile},${certFile}`,
          '--id-attr:ID',
          `${SAML_NS}:Assertion`,
          '--id-attr:ID',
          `${SAMLP_NS}:Response`,
          '--node-xpath',
          xpath,
          '--output',
          outFile,
          inFile,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      signed = readFileSync(outFile, 'utf8');
    }
    return signed;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A vendor's default response to `requestId`, signed by xmlsec1 with the vendor's fixture key. */
export function vendorResponse(profile: VendorProfile, input: VendorResponseInput): string {
  return signWithXmlsec(vendorResponseTemplate(profile, input), vendorKey(profile.vendor));
}

/** Whether xmlsec1 is installed (scripts/setup.sh installs it: `bash scripts/setup.sh xmlsec`). */
export function xmlsecAvailable(): boolean {
  try {
    execFileSync('xmlsec1', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Vendor attribute name formats, for tests that build their own attributes. */
export const ATTRNAME = { uri: ATTRNAME_URI, basic: ATTRNAME_BASIC, unspecified: ATTRNAME_UNSPECIFIED } as const;
