/**
 * Field names, labels and fixed messages every connection form shares (OIDC and SAML): plain constants (no zod),
 * so client forms can render before any validation rules are loaded. The OIDC form's own are in
 * ./oidc-connection-fields.
 */

/** A connection's status, as on the wire (lib/contract CONNECTION_STATUSES), without importing zod here. */
export const CONNECTION_STATUS_VALUES = ['active', 'testing', 'inactive'] as const;
export type ConnectionStatusValue = (typeof CONNECTION_STATUS_VALUES)[number];

export const CONNECTION_FIELD_LABELS = { name: 'Name', status: 'Status' } as const;
export const NAME_REQUIRED = 'Name is required';
/** Hidden field of a connection form: which connection it saves (absent on "new"). */
export const CONNECTION_ID_FIELD = 'connectionId';

// ─── provisioning (the connection forms' Provisioning part; parsed in ./provisioning) ─────────────────────

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
