/**
 * A SAML connection's settings as the service provider reads them (IdP entity ID, SSO URL, certificates,
 * attribute names, clock skew) and the SP's own options, parsed with zod from the stored connection.
 */
import { z } from 'zod';

export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

/** Entra ID's (and AD FS's) `name` claim: the user principal name, a sign-in name rather than a person's name. */
const UPN_NAME_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';
const UPN_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';

/**
 * The attribute names read when a connection configures none, per field, first match wins: plain names, the
 * common OIDs, the Microsoft/AD FS claim URIs and the big vendors' default attribute names (README.md,
 * "Attribute defaults", has the table).
 */
export const DEFAULT_ATTRIBUTE_NAMES = {
  email: [
    'email',
    'mail',
    'emailAddress',
    'urn:oid:0.9.2342.19200300.100.1.3',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
    // PKCS#9 emailAddress: Keycloak's "X500 email" mapper.
    'urn:oid:1.2.840.113549.1.9.1',
    // OneLogin's default parameter name.
    'User.email',
    // A UPN looks like an address but need not be a mailbox: read after every real email attribute.
    UPN_CLAIM,
  ],
  /** Display-name attributes; given name + surname come next, then `nameFallback`. */
  name: [
    'name',
    'displayName',
    'urn:oid:2.16.840.1.113730.3.1.241',
    'http://schemas.microsoft.com/identity/claims/displayname',
    // X.500 commonName: the full name LDAP-backed IdPs (LemonLDAP::NG, Shibboleth with LDAP) hold and release.
    'cn',
    'urn:oid:2.5.4.3',
  ],
  givenName: [
    'givenName',
    'firstName',
    'urn:oid:2.5.4.42',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
    'User.FirstName',
  ],
  surname: [
    'sn',
    'surname',
    'lastName',
    'urn:oid:2.5.4.4',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
    'User.LastName',
  ],
  /** Read only when no display name, given name or surname was sent (Entra's UPN). */
  nameFallback: [UPN_NAME_CLAIM],
  /**
   * The stable subject behind a transient NameID, in order: the OASIS SAML V2.0 Subject Identifier attributes
   * (subject-id, then pairwise-id; both permanent and never reassigned), eduPersonUniqueId (permanent, never
   * reassigned), eduPersonPrincipalName (stable, but an institution may reassign it after a gap), Entra's
   * objectidentifier (the user object's immutable id), then uid (a login name, the weakest; read last so an
   * IdP that releases only it keeps its members).
   */
  sub: [
    'urn:oasis:names:tc:SAML:attribute:subject-id',
    'urn:oasis:names:tc:SAML:attribute:pairwise-id',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.13',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
    'http://schemas.microsoft.com/identity/claims/objectidentifier',
    'uid',
    'urn:oid:0.9.2342.19200300.100.1.1',
  ],
  groups: [
    'groups',
    'memberOf',
    'urn:oid:1.3.6.1.4.1.5923.1.5.1.1',
    'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
    'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  ],
} as const;

const attributeList = z.array(z.string().min(1).max(512)).min(1).max(20);

export const samlAttributeNamesSchema = z.object({
  email: attributeList.optional(),
  name: attributeList.optional(),
  givenName: attributeList.optional(),
  surname: attributeList.optional(),
  sub: attributeList.optional(),
  groups: attributeList.optional(),
});
export type SamlAttributeNames = z.infer<typeof samlAttributeNamesSchema>;

const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);

/** One SAML connection's settings. */
export const samlConnectionSettingsSchema = z.object({
  idpEntityId: z.string().min(1).max(1024),
  /** The IdP's HTTP-Redirect SingleSignOnService location. */
  idpSsoUrl: httpUrl,
  /** One or two PEM certificates (two during a rotation); any of them verifies. */
  idpCertificates: z.array(z.string().min(1).max(16384)).min(1).max(2),
  spEntityId: z.string().min(1).max(1024),
  /** The ACS (POST /sso/callback/saml on the public service URL). */
  spAcsUrl: httpUrl,
  /** Sign AuthnRequests with the SP key (the SP's metadata then carries its certificate). */
  signAuthnRequests: z.boolean().default(false),
  attributeNames: samlAttributeNamesSchema.default({}),
  clockSkewSeconds: z.number().int().min(0).max(600).default(DEFAULT_CLOCK_SKEW_SECONDS),
});
export type SamlConnectionSettings = z.input<typeof samlConnectionSettingsSchema>;
export type ParsedSamlSettings = z.output<typeof samlConnectionSettingsSchema>;

/** The SP's request-signing key pair (service-wide); needed only when a connection signs AuthnRequests. */
export interface SpSigningKey {
  privateKeyPem: string;
  certificatePem: string;
}
