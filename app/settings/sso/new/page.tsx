/**
 * A new connection: the provider guides and the connection form (the same form a connection's page edits with).
 * Saving runs the issuer check, creates the connection and opens its page, where the test sign-in is.
 */
import type { Metadata } from 'next';
import { requireConnectionsActor } from '@/lib/auth';
import { RoleGate } from '@/components/sso/role-gate';
import { newConnectionRedirectUri } from '@/lib/console/settings/redirect-uri';
import { NEW_CONNECTION_PATH } from '@/lib/console/settings/paths';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { CONNECTION_TEXT } from '@/lib/console/messages';
import { ssoDevMode } from '@/lib/console/utils/sso-mode';
import { Alert, Card, PageHeader } from '@/components/ui';
import { OidcConnectionForm } from '@/components/sso/oidc-connection-form';
import type { NewConnectionDefaults } from '@/components/sso/connection-form';
import { ProviderGuide } from '@/components/sso/provider-guide';
import { isProviderId } from '@/components/sso/provider-guides';
import { BackToConnections } from '@/components/sso/back-to-connections';
import { createOidcConnection, createSamlConnection } from './actions';
import { ProtocolChoice } from '@/components/sso/protocol-choice';
import { SamlConnectionForm } from '@/components/sso/saml-connection-form';

export const metadata: Metadata = { title: 'Add a connection · Single sign-on' };
export const dynamic = 'force-dynamic';

/** The first connection takes member logins at once; later ones start in testing so nothing changes for members. */
function defaultsFor(existing: number): NewConnectionDefaults {
  return existing === 0
    ? { name: 'Identity provider', status: 'active', statusHint: CONNECTION_TEXT.statusHintFirst }
    : { name: `Identity provider ${existing + 1}`, status: 'testing', statusHint: CONNECTION_TEXT.statusHintLater };
}

export default async function NewConnectionPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requireConnectionsActor(NEW_CONNECTION_PATH);
  let existing = 0;
  let loadError: string | null = null;
  try {
    existing = (await actor.grantex().sso.connections.list()).length;
  } catch (err) {
    loadError = describeGrantexError(err);
  }
  // This connection's own address, fixed for this form (a refused save keeps it: the form sends it back).
  const redirectUri = newConnectionRedirectUri();
  const query = await searchParams;
  const provider = isProviderId(query.provider) ? query.provider : null;
  const saml = query.protocol === 'saml';

  return (
    <div className="space-y-8">
      <BackToConnections />
      <PageHeader
        title="Add a connection"
        description={
          saml
            ? 'Connect one identity provider (SAML 2.0). Give it by its metadata or by its entity ID, SSO URL and signing certificate; the service provider details to enter at your IdP are on the connection’s page.'
            : 'Connect one identity provider (OpenID Connect). The issuer is checked before anything is saved; the client secret is stored encrypted and never shown again.'
        }
      />
      {loadError ? (
        <Alert tone="error" title="Your connections could not be loaded">
          {loadError}
        </Alert>
      ) : null}

      <Card title="Protocol" description="Which protocol your identity provider’s application uses.">
        <ProtocolChoice value={saml ? 'saml' : 'oidc'} path={NEW_CONNECTION_PATH} />
      </Card>

      {saml ? (
        <Card title="Configure your SAML identity provider">
          <RoleGate permission="createSamlConnection" role={actor.role}>
            <SamlConnectionForm action={createSamlConnection} connection={null} create={defaultsFor(existing)} />
          </RoleGate>
        </Card>
      ) : (
        <>
          <Card
            title="Provider setup guide"
            description="Where to create the app at your provider, and which values go into the form below."
          >
            <ProviderGuide redirectUri={redirectUri} initial={provider} />
          </Card>

          <Card title="Configure your identity provider" description="All fields are required.">
            <RoleGate permission="createOidcConnection" role={actor.role}>
              <OidcConnectionForm
                action={createOidcConnection}
                newRedirectUri={redirectUri}
                devMode={ssoDevMode()}
                connection={null}
                create={defaultsFor(existing)}
              />
            </RoleGate>
          </Card>
        </>
      )}
    </div>
  );
}
