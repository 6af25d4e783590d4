/**
 * What an admin does at each identity provider to get the three values the SSO form asks for. Facts checked
 * against each vendor's public documentation (console paths, the issuer's exact shape); kept short on purpose.
 * Text between backticks is rendered as code; `<...>` inside it marks the admin's own part.
 */

export const PROVIDER_IDS = ['okta', 'entra', 'google', 'auth0', 'keycloak', 'other'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export interface ProviderGuide {
  id: ProviderId;
  /** The radio's label (its accessible name). */
  name: string;
  /** Where the admin console is, when it has one address for everybody. */
  console?: { label: string; href: string };
  /** Steps to create the app, in order. */
  create: string[];
  /** What the provider calls the field where our redirect URI goes. */
  redirectField: string;
  /** Where each value of our form comes from at the provider. */
  values: { field: 'Issuer URL' | 'Client ID' | 'Client secret'; from: string }[];
  /** The issuer's shape(s), with the admin's own parts as placeholders. */
  issuers: { shape: string; note?: string }[];
  /** Anything that commonly goes wrong with this provider. */
  tips?: string[];
  /** Where the logout URIs (the connection page's Logout card) go at the provider, when we know. */
  logout?: string;
}

export const SCOPES = 'openid email profile';

export const PROVIDER_GUIDES: readonly ProviderGuide[] = [
  {
    id: 'okta',
    name: 'Okta',
    create: [
      'In the Okta Admin Console, go to Applications → Applications → Create App Integration.',
      'Choose OIDC - OpenID Connect, then Web Application.',
      'Under Assignments, give access to the people or groups who should sign in.',
    ],
    redirectField: 'Sign-in redirect URIs',
    values: [
      { field: 'Client ID', from: 'The app’s General tab, under Client Credentials.' },
      { field: 'Client secret', from: 'The same tab, under Client secrets.' },
      {
        field: 'Issuer URL',
        from: 'Your Okta domain, or the Issuer URI under Security → API → Authorization Servers.',
      },
    ],
    issuers: [
      { shape: 'https://<your-okta-domain>', note: 'org authorization server' },
      { shape: 'https://<your-okta-domain>/oauth2/default', note: 'the “default” custom authorization server' },
    ],
    tips: ['The two are different issuers and both work: enter the one your app uses, with no trailing slash.'],
  },
  {
    id: 'entra',
    name: 'Microsoft Entra ID',
    console: { label: 'Microsoft Entra admin center', href: 'https://entra.microsoft.com' },
    create: [
      'In the Microsoft Entra admin center, go to Entra ID → App registrations → New registration.',
      'Under Redirect URI, choose the Web platform and enter the URI below.',
    ],
    redirectField: 'Redirect URI (platform: Web)',
    values: [
      { field: 'Client ID', from: 'Application (client) ID, on the app’s Overview page.' },
      {
        field: 'Client secret',
        from: 'Certificates & secrets → Client secrets → New client secret. Copy its Value (not the Secret ID) at once: it is shown only once.',
      },
      { field: 'Issuer URL', from: 'Built from the Directory (tenant) ID, on the same Overview page.' },
    ],
    issuers: [{ shape: 'https://login.microsoftonline.com/<tenant-id>/v2.0' }],
    tips: [
      'Use your tenant ID, not `common`, `organizations` or `consumers`: those serve many tenants and have no single issuer.',
      'To put members’ email in the ID token, add the optional claim `email` (Token configuration → Add optional claim → ID).',
    ],
  },
  {
    id: 'google',
    name: 'Google Workspace',
    console: { label: 'Google Cloud console', href: 'https://console.cloud.google.com/apis/credentials' },
    create: [
      'In the Google Cloud console, open Google Auth Platform and set the audience (user type) to Internal, so only your Workspace accounts can sign in.',
      'Go to Clients → Create client (or APIs & Services → Credentials → Create credentials → OAuth client ID) and choose Web application.',
    ],
    redirectField: 'Authorized redirect URIs',
    values: [
      { field: 'Client ID', from: 'Shown when the client is created, and on the client’s page.' },
      { field: 'Client secret', from: 'Shown with the client ID (it starts with `GOCSPX-`).' },
      { field: 'Issuer URL', from: 'The same for every Google customer.' },
    ],
    issuers: [{ shape: 'https://accounts.google.com', note: 'no trailing slash' }],
    logout:
      'Google publishes no end-session or back-channel logout endpoint: signing out here ends the session here only.',
  },
  {
    id: 'auth0',
    name: 'Auth0',
    console: { label: 'Auth0 Dashboard', href: 'https://manage.auth0.com' },
    create: [
      'In the Auth0 Dashboard, go to Applications → Applications → Create Application.',
      'Choose Regular Web Applications, then open its Settings tab.',
    ],
    redirectField: 'Allowed Callback URLs (Settings tab)',
    values: [
      { field: 'Client ID', from: 'Settings tab, Basic Information.' },
      { field: 'Client secret', from: 'Settings tab, Basic Information (Client Secret).' },
      {
        field: 'Issuer URL',
        from: 'The Domain in Basic Information, written as `https://<domain>/` with the trailing slash.',
      },
    ],
    issuers: [
      {
        shape: 'https://<tenant>.auth0.com/',
        note: 'with the trailing slash; some regions add one: https://<tenant>.<region>.auth0.com/',
      },
      { shape: 'https://<your-custom-domain>/', note: 'if you use a custom domain' },
    ],
    tips: ['Auth0’s issuer ends with a slash: leave it in.'],
    logout:
      'Add the post-logout redirect URI (on the connection’s page, under Logout) to Allowed Logout URLs. Auth0 lists its end-session endpoint only when the tenant’s Advanced settings turn on RP-Initiated Logout End Session Endpoint Discovery.',
  },
  {
    id: 'keycloak',
    name: 'Keycloak',
    create: [
      'In the Keycloak admin console, select your realm, then Clients → Create client.',
      'Client type OpenID Connect; turn Client authentication on and keep Standard flow enabled.',
    ],
    redirectField: 'Valid redirect URIs',
    values: [
      { field: 'Client ID', from: 'The Client ID you chose.' },
      { field: 'Client secret', from: 'The client’s Credentials tab.' },
      { field: 'Issuer URL', from: 'Your Keycloak address and realm name.' },
    ],
    issuers: [
      { shape: 'https://<host>/realms/<realm>' },
      { shape: 'https://<host>/auth/realms/<realm>', note: 'older versions' },
    ],
    logout:
      'In the client’s Settings, add the post-logout redirect URI (on the connection’s page, under Logout) to Valid post logout redirect URIs; under Logout settings, turn Backchannel logout on and enter the back-channel logout URI.',
  },
  {
    id: 'other',
    name: 'Other OIDC provider',
    create: ['Create a confidential (web) client that uses the authorization code flow, with a client secret.'],
    redirectField: 'redirect URI (or callback URL)',
    values: [
      { field: 'Client ID', from: 'The client you created.' },
      { field: 'Client secret', from: 'The client you created.' },
      {
        field: 'Issuer URL',
        from: 'The `issuer` value in the provider’s discovery document (`https://<issuer>/.well-known/openid-configuration`), exactly as written.',
      },
    ],
    issuers: [{ shape: 'https://<your-provider>' }],
    logout:
      'If the provider supports RP-initiated logout, register the post-logout redirect URI (on the connection’s page, under Logout); if it supports back-channel logout, register the back-channel logout URI.',
  },
];

export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && (PROVIDER_IDS as readonly string[]).includes(value);
}
