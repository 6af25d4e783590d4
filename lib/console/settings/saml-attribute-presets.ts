/**
 * Vendor presets of a SAML connection's attribute mapping: the attribute names each identity provider sends, as
 * data in one place. The console's "Attribute mapping" section fills its fields from one (the admin can still
 * edit before saving). Browser-safe: plain data, no zod, no contract.
 *
 * The names follow the vendors' default shapes that tests/support/vendor-saml.ts reproduces (and the service's
 * built-in defaults, lib/sso-service/saml/settings.ts). Where a vendor sends no attributes by default (Okta, Google
 * Workspace, PingFederate, JumpCloud put the member's address in the NameID), the preset names the attributes its
 * documentation suggests adding; the email then still falls back to an address-shaped NameID.
 *
 * No preset sets the subject: the NameID (or, for a transient one, the stable-ID attributes) stays the member's
 * subject, so applying a preset to a connection in use never starts its members over.
 */
import type { AttributeMappingField } from '@/lib/contract/limits';

export const SAML_ATTRIBUTE_PRESET_IDS = [
  'entra',
  'okta',
  'google',
  'adfs',
  'onelogin',
  'keycloak',
  'shibboleth',
  'pingfederate',
  'jumpcloud',
] as const;
export type SamlAttributePresetId = (typeof SAML_ATTRIBUTE_PRESET_IDS)[number];

export interface SamlAttributePreset {
  label: string;
  /** What the vendor sends by default, in one sentence (shown under the picker). */
  note: string;
  /** Per field, the attribute names in order (first match wins); a field left out is filled with nothing. */
  fields: Partial<Record<AttributeMappingField, readonly string[]>>;
}

const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const MS_CLAIMS_2008 = 'http://schemas.microsoft.com/ws/2008/06/identity/claims';

export const SAML_ATTRIBUTE_PRESETS: Record<SamlAttributePresetId, SamlAttributePreset> = {
  entra: {
    label: 'Microsoft Entra ID',
    note: 'Entra sends the email, given name and surname claims by default; the groups claim once you add it.',
    fields: {
      email: [`${CLAIMS}/emailaddress`],
      name: ['http://schemas.microsoft.com/identity/claims/displayname'],
      givenName: [`${CLAIMS}/givenname`],
      familyName: [`${CLAIMS}/surname`],
      groups: [`${MS_CLAIMS_2008}/groups`],
    },
  },
  okta: {
    label: 'Okta',
    note: 'Okta sends the username as the NameID and no attributes until you add attribute statements with these names.',
    fields: { email: ['email'], givenName: ['firstName'], familyName: ['lastName'], groups: ['groups'] },
  },
  google: {
    label: 'Google Workspace',
    note: 'Google sends the primary email as the NameID and no attributes until you map them under these names.',
    fields: { email: ['email'], givenName: ['firstName'], familyName: ['lastName'], groups: ['groups'] },
  },
  adfs: {
    label: 'AD FS',
    note: 'AD FS sends what its claim rules say; these are the claim types of the usual LDAP-attribute rule.',
    fields: {
      email: [`${CLAIMS}/emailaddress`],
      givenName: [`${CLAIMS}/givenname`],
      familyName: [`${CLAIMS}/surname`],
      groups: [`${MS_CLAIMS_2008}/role`],
    },
  },
  onelogin: {
    label: 'OneLogin',
    note: 'OneLogin’s SAML connector sends these parameters by default.',
    fields: {
      email: ['User.email'],
      givenName: ['User.FirstName'],
      familyName: ['User.LastName'],
      groups: ['memberOf'],
    },
  },
  keycloak: {
    label: 'Keycloak',
    note: 'Keycloak’s X500 mappers send these names; add a group mapper for groups.',
    fields: {
      email: ['urn:oid:1.2.840.113549.1.9.1'],
      givenName: ['urn:oid:2.5.4.42'],
      familyName: ['urn:oid:2.5.4.4'],
      groups: ['member'],
    },
  },
  shibboleth: {
    label: 'Shibboleth IdP',
    note: 'Shibboleth releases attributes by their OID names (mail, displayName, givenName, sn, isMemberOf).',
    fields: {
      email: ['urn:oid:0.9.2342.19200300.100.1.3'],
      name: ['urn:oid:2.16.840.1.113730.3.1.241'],
      givenName: ['urn:oid:2.5.4.42'],
      familyName: ['urn:oid:2.5.4.4'],
      groups: ['urn:oid:1.3.6.1.4.1.5923.1.5.1.1'],
    },
  },
  pingfederate: {
    label: 'PingFederate',
    note: 'PingFederate sends SAML_SUBJECT only until you extend the attribute contract with these names.',
    fields: { email: ['mail'], givenName: ['givenName'], familyName: ['sn'], groups: ['memberOf'] },
  },
  jumpcloud: {
    label: 'JumpCloud',
    note: 'JumpCloud sends the email as the NameID; add user attributes with these names and its group attribute.',
    fields: { email: ['email'], givenName: ['firstname'], familyName: ['lastname'], groups: ['memberOf'] },
  },
};

export function isSamlAttributePresetId(value: unknown): value is SamlAttributePresetId {
  return typeof value === 'string' && (SAML_ATTRIBUTE_PRESET_IDS as readonly string[]).includes(value);
}

/** A field's names as the form shows them: separated by ", " (the form reads commas and new lines). */
export function attributeNamesText(names: readonly string[] | undefined): string {
  return (names ?? []).join(', ');
}
