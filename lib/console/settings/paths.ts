/**
 * The addresses of the SSO connection pages, for the actions' redirects and revalidation and the pages' links:
 * one place, so a redirect and the page it names cannot drift apart. Browser-safe (plain strings).
 */
export const SSO_SETTINGS_PATH = '/settings/sso';
export const NEW_CONNECTION_PATH = `${SSO_SETTINGS_PATH}/new`;

/** One connection's page (`id` is Grantex's, encoded as one path segment). */
export function connectionPath(id: string): string {
  return `${SSO_SETTINGS_PATH}/${encodeURIComponent(id)}`;
}

/** A SAML connection's SP metadata download (a route beside its page). */
export function samlMetadataPath(id: string): string {
  return `${connectionPath(id)}/saml-metadata`;
}

/** Directory sync (SCIM): tokens, provisioned people and groups, per-IdP guides. */
export const DIRECTORY_PATH = `${SSO_SETTINGS_PATH}/directory`;

/** Webhook endpoints: add one (its signing secret shown once), enable/disable, delete, each one's delivery log. */
export const WEBHOOKS_PATH = `${SSO_SETTINGS_PATH}/webhooks`;

/** The owner's security page: SSO enforcement for the console and break-glass credentials. */
export const SECURITY_PATH = `${SSO_SETTINGS_PATH}/security`;
