/**
 * Provisional SAML connection settings (what the connection model will store for `protocol: "saml"`), and the
 * service provider's own options. Parsed with zod so the next wave can read them straight from a stored row.
 */
import { z } from 'zod';

export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

/** Attribute names read for each field, first match wins. Defaults cover plain names, the common OIDs and the Microsoft/ADFS claim URIs. */
export const DEFAULT_ATTRIBUTE_NAMES = {
  email: [
    'email',
    'mail',
    'emailAddress',
    'urn:oid:0.9.2342.19200300.100.1.3',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  ],
  name: [
    'name',
    'displayName',
    'urn:oid:2.16.840.1.113730.3.1.241',
    'http://schemas.microsoft.com/identity/claims/displayname',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  ],
  givenName: [
    'givenName',
    'firstName',
    'urn:oid:2.5.4.42',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  ],
  surname: [
    'sn',
    'surname',
    'lastName',
    'urn:oid:2.5.4.4',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  ],
  sub: ['uid', 'urn:oid:0.9.2342.19200300.100.1.1', 'http://schemas.microsoft.com/identity/claims/objectidentifier'],
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
