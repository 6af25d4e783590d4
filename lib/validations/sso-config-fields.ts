/**
 * The SSO form's field names, labels and fixed messages: plain constants (no zod), so the client
 * form can render before it has loaded the validation rules (./sso-config, fetched on first use).
 * Re-exported by ./sso-config.
 */
export const SSO_FIELD_LABELS = {
  issuerUrl: 'Issuer URL',
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  redirectUri: 'Redirect URI',
} as const;
export type SsoConfigField = keyof typeof SSO_FIELD_LABELS;

export const SECRET_REQUIRED = 'Client secret is required';
export const SECRET_REQUIRED_AGAIN = 'Client secret is required — enter it again to save';
/** Hidden form field ("1" when a configuration is saved): chooses between the two messages above, nothing else. */
export const HAS_SAVED_SECRET_FIELD = 'hasSavedSecret';

// ─── connections (the same form, for one connection of several) ─────────────────────────────────

/** A connection's status, as on the wire (lib/contract CONNECTION_STATUSES), without importing zod here. */
export const CONNECTION_STATUS_VALUES = ['active', 'testing', 'inactive'] as const;
export type ConnectionStatusValue = (typeof CONNECTION_STATUS_VALUES)[number];

export const CONNECTION_FIELD_LABELS = { name: 'Name', status: 'Status' } as const;
export const NAME_REQUIRED = 'Name is required';
/** A saved secret is kept when the field is left blank, except when the issuer changes (see ./sso-config). */
export const SECRET_REQUIRED_NEW_ISSUER = 'Client secret is required — enter it again to save a new issuer';
/** Hidden form fields of the connection form: which connection (absent on "new") and its saved issuer. */
export const CONNECTION_ID_FIELD = 'connectionId';

// ─── provisioning (the connection form's Provisioning part; parsed in ./provisioning) ─────────────────────

export const PROVISIONING_FIELD_LABELS = {
  jitProvisioning: 'Just-in-time provisioning',
  groupAttribute: 'Group claim',
  groupMappings: 'Group → scopes',
  defaultScopes: 'Default scopes',
  verifiedDomainsOnly: "Accept only emails in this organization's verified domains",
} as const;
export type ProvisioningField = keyof typeof PROVISIONING_FIELD_LABELS;
/**
 * Hidden field ("1") next to the `verifiedDomainsOnly` checkbox: an unchecked box sends nothing, so this says the
 * form showed it and its absence means "off" (a form without it leaves the setting alone).
 */
export const VERIFIED_DOMAINS_ONLY_SHOWN_FIELD = 'verifiedDomainsOnlyShown';
/**
 * The checkbox an admin ticks to save a connection pointed at another identity provider (issuer or SAML entity
 * ID): its members start over (see docs/EMAIL-TRUST.md), so the form asks before the save.
 */
export const CONFIRM_NEW_IDP_FIELD = 'confirmNewIdp';
