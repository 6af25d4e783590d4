/**
 * One connection: its settings, test sign-in, status, domains (shown only when the API serves domains) and delete.
 * An unknown id and another organization's id are the same not-found page (Grantex answers 404 for both).
 */
import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { notFound } from 'next/navigation';
import { requireConnectionsActor } from '@/lib/auth';
import { ConnectionDomains } from '@/components/sso/connection-domains';
import { connectionDomainViews } from '@/lib/console/settings/connection-domains';
import { addConnectionDomain, removeConnectionDomain, verifyConnectionDomain } from './domain-actions';
import { redirectUriView } from '@/lib/console/settings/redirect-uri';
import { connectionPath, samlMetadataPath } from '@/lib/console/settings/paths';
import { SharedRedirectUriNotice } from '@/components/sso/shared-redirect-uri-notice';
import { isGrantexError } from '@/lib/grantex/errors';
import type { SsoConnection } from '@/lib/contract';
import { CONNECTION_TEXT, discoveryUrlTrimmedNote } from '@/lib/console/messages';
import { readTestResult, TEST_RESULT_COOKIE } from '@/lib/console/member-login/test-result';
import { sealingSecret } from '@/lib/console/utils/cookie-options';
import { ssoDevMode } from '@/lib/console/utils/sso-mode';
import { Alert, Badge, Card, PageHeader } from '@/components/ui';
import { OidcConnectionForm } from '@/components/sso/oidc-connection-form';
import { ConnectionStatusForm } from '@/components/sso/connection-status-form';
import { DefaultBadge, DomainList, LastSignIn, StatusBadge } from '@/components/sso/connection-badges';
import { formatTime } from '@/components/sso/format-time';
import { TestSignIn } from '@/components/sso/test-sign-in';
import { DeleteConnection } from '@/components/sso/delete-connection';
import { ProviderGuide } from '@/components/sso/provider-guide';
import { isProviderId } from '@/components/sso/provider-guides';
import { BackToConnections } from '@/components/sso/back-to-connections';
import { deleteConnection, moveToOwnRedirectUri, setConnectionStatus, updateOidcConnection } from './actions';
// SAML connections: their own sections and form; the rest of the page is shared.
import { SamlConfigRows, SamlConnectionDetails } from '@/components/sso/saml-connection-details';
import { SamlConnectionForm } from '@/components/sso/saml-connection-form';
import { isConsoleSamlAcsUrl } from '@/lib/console/settings/saml-acs';
import {
  addSamlCertificate,
  promoteSpKey,
  refreshSamlMetadata,
  removeSamlCertificate,
  retireSpKey,
  rotateSpKey,
  setSignAuthnRequests,
  updateSamlConnection,
  useConsoleSamlAcs,
} from './saml-actions';
import { SamlSpKeys } from '@/components/sso/saml-sp-keys';
import { OidcLogoutUrls, SamlLogoutUrls } from '@/components/sso/logout-urls';
import { setIdpSloUrl } from './logout-actions';
import { POST_LOGOUT_PATH } from '@/lib/contract/logout';
import { LOGOUT_TEXT } from '@/lib/console/messages';
import { env } from '@/lib/env';
import type { SamlSpKey } from '@/lib/contract';
import { SP_KEY_TEXT } from '@/lib/console/messages';
import { spKeyOutcomeOf } from '@/lib/console/settings/sp-keys';
import { summarizeSignIns, type SignInSummary } from '@/lib/console/activity';
import { provisioningFormValues } from '@/lib/console/settings/provisioning-view';
import { PROVISIONING_TEXT } from '@/lib/console/messages';
import { SignInSummaryView } from '@/components/sso/sign-in-summary';
import type { ConnectionsActor } from '@/lib/auth';
import { allows } from '@/lib/auth/permissions';
import { RoleGate, RoleHint } from '@/components/sso/role-gate';
import { ConsoleRolesForm } from '@/components/sso/console-roles-form';
import { CONSOLE_ROLE_BLANK_ROWS, valuesOfMappings } from '@/lib/validations/console-roles';
import { saveConsoleRoles } from './console-role-actions';
import { SamlAttributeMapping } from '@/components/sso/saml-attribute-mapping';
import { SessionPolicyForm } from '@/components/sso/session-policy-form';
import { lastTestAttributes, type ReceivedAttributes } from '@/lib/console/settings/received-attributes';
import { ATTRIBUTE_MAPPING_TEXT, SESSION_POLICY_TEXT } from '@/lib/console/messages';
import { secondsToMinutesText } from '@/lib/validations/connection-policy';
import { saveAttributeMapping, saveSessionPolicy } from './policy-actions';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The connection's sign-ins over the last 24 hours, for an admin (the activity page is theirs; a setup-link user
 * does not see the org's sign-ins). Null where the API keeps no sign-in log or the log could not be read.
 */
async function lastDaySummary(actor: ConnectionsActor, connectionId: string): Promise<SignInSummary | null> {
  if (actor.kind !== 'admin') return null;
  try {
    const page = await actor
      .grantex()
      .sso.events.list({ connectionId, from: new Date(Date.now() - DAY_MS).toISOString(), limit: 200 });
    return page.supported ? summarizeSignIns(page.events, page.nextCursor !== null) : null;
  } catch {
    return null;
  }
}

/**
 * What the connection's last test sign-in received, for the admin (the sign-in log is theirs, as above); null when
 * no test recorded attributes or the log could not be read.
 */
async function receivedAttributes(
  actor: ConnectionsActor,
  connectionId: string,
): Promise<ReceivedAttributes | null | 'unavailable'> {
  if (actor.kind !== 'admin') return 'unavailable';
  try {
    const page = await actor.grantex().sso.events.list({ connectionId, limit: 200 });
    return page.supported ? lastTestAttributes(page.events) : 'unavailable';
  } catch {
    return null;
  }
}

export const metadata: Metadata = { title: 'Connection · Single sign-on' };
export const dynamic = 'force-dynamic';

interface Props {
  params: Promise<{ connectionId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function ConnectionPage({ params, searchParams }: Props) {
  const { connectionId } = await params;
  const actor = await requireConnectionsActor(connectionPath(connectionId));
  let connection: SsoConnection;
  try {
    connection = await actor.grantex().sso.connections.get(connectionId);
  } catch (err) {
    if (isGrantexError(err) && err.kind === 'not_found') notFound();
    throw err;
  }
  // The org's domain registry (verification state); an API without domains routes: no section.
  const registry = await actor
    .grantex()
    .sso.domains.list()
    .catch(() => null);
  const domainViews = registry ? connectionDomainViews(connection.domains, registry) : null;
  const lastResult = await readTestResult(
    (await cookies()).get(TEST_RESULT_COOKIE)?.value,
    actor.developerId,
    sealingSecret(),
  );
  // A test of another connection is shown on that connection's page, not here.
  const testResult = lastResult && (lastResult.connectionId ?? connection.id) === connection.id ? lastResult : null;
  const summary = await lastDaySummary(actor, connection.id);
  const received = connection.protocol === 'saml' ? await receivedAttributes(actor, connection.id) : null;
  // A SAML connection's own SP keys; an API without them (or that could not answer): no section.
  const spKeys: SamlSpKey[] | null =
    connection.protocol === 'saml'
      ? await actor
          .grantex()
          .sso.connections.spKeys(connection.id)
          .catch(() => null)
      : null;
  const provisioning = provisioningFormValues(connection);
  const redirectUris = redirectUriView(connection);
  const query = await searchParams;
  const provider = isProviderId(query.provider) ? query.provider : null;
  const orgLabel = `${actor.organizationName} (${actor.developerId})`;

  return (
    <div className="space-y-8">
      <BackToConnections />
      <PageHeader
        title={connection.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Badge>{connection.protocol.toUpperCase()}</Badge>
            <StatusBadge status={connection.status} />
            {connection.isDefault ? <DefaultBadge /> : null}
          </span>
        }
      />

      {query.moved === '1' && redirectUris?.kind === 'own' ? (
        <Alert tone="success">{CONNECTION_TEXT.moved}</Alert>
      ) : null}
      {redirectUris?.kind === 'shared' && redirectUris.own ? (
        <RoleGate permission="moveToOwnRedirectUri" role={actor.role}>
          <SharedRedirectUriNotice
            action={moveToOwnRedirectUri}
            connectionId={connection.id}
            shared={redirectUris.shared}
            own={redirectUris.own}
          />
        </RoleGate>
      ) : null}

      <Card
        title="Current configuration"
        actions={<StatusBadge status={connection.status} />}
        footer={
          // Deleting is the owner's (the action refuses other roles and a setup link too).
          allows('deleteConnection', actor.role) ? (
            <DeleteConnection
              action={deleteConnection}
              orgLabel={orgLabel}
              connection={{ id: connection.id, name: connection.name }}
              defaultWarning={connection.isDefault ? CONNECTION_TEXT.defaultDeleteWarning : undefined}
            />
          ) : actor.kind === 'admin' ? (
            <RoleHint permission="deleteConnection" />
          ) : undefined
        }
      >
        <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[max-content_1fr]">
          {connection.protocol === 'saml' ? (
            <SamlConfigRows connection={connection} />
          ) : (
            <>
              <dt className="font-medium text-gray-600">Issuer</dt>
              <dd className="break-all text-gray-900">{connection.issuerUrl}</dd>
              <dt className="font-medium text-gray-600">Client ID</dt>
              <dd className="break-all text-gray-900">{connection.clientId}</dd>
              <dt className="font-medium text-gray-600">Client secret</dt>
              <dd className="text-gray-900">
                Secret set <span className="text-gray-600">(never shown again)</span>
              </dd>
              <dt className="font-medium text-gray-600">Redirect URI</dt>
              <dd className="break-all text-gray-900">{connection.redirectUri}</dd>
            </>
          )}
          <dt className="font-medium text-gray-600">Just-in-time provisioning</dt>
          <dd className="text-gray-900">{PROVISIONING_TEXT.jit[provisioning.jitProvisioning].label}</dd>
          <dt className="font-medium text-gray-600">Group claim</dt>
          <dd className="break-all text-gray-900">{provisioning.groupAttribute || PROVISIONING_TEXT.none}</dd>
          <dt className="font-medium text-gray-600">Group → scopes</dt>
          <dd className="text-gray-900">
            {Object.keys(connection.groupMappings).length === 0 ? (
              PROVISIONING_TEXT.none
            ) : (
              <ul aria-label="Group to scopes mappings" className="space-y-0.5">
                {Object.entries(connection.groupMappings).map(([group, scopes]) => (
                  <li key={group} className="break-all">
                    <code>{group}</code>: {scopes.join(' ')}
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt className="font-medium text-gray-600">Default scopes</dt>
          <dd className="break-all text-gray-900">{provisioning.defaultScopes || PROVISIONING_TEXT.none}</dd>
          <dt className="font-medium text-gray-600">Emails accepted</dt>
          <dd className="text-gray-900">
            {provisioning.verifiedDomainsOnly === 'on'
              ? PROVISIONING_TEXT.emailsVerifiedDomainsOnly
              : PROVISIONING_TEXT.emailsAny}
          </dd>
          <dt className="font-medium text-gray-600">Last sign-in</dt>
          <dd className="text-gray-900">
            <LastSignIn connection={connection} />
          </dd>
          <dt className="font-medium text-gray-600">Created</dt>
          <dd className="text-gray-900">
            <time dateTime={connection.createdAt}>{formatTime(connection.createdAt)}</time>
          </dd>
          <dt className="font-medium text-gray-600">Updated</dt>
          <dd className="text-gray-900">
            <time dateTime={connection.updatedAt}>{formatTime(connection.updatedAt)}</time>
          </dd>
        </dl>
        <div className="mt-6 border-t border-gray-200 pt-5">
          {/* Target of the "Run a test sign-in" link in the form's "saved" message. */}
          <h3
            id="sso-test"
            tabIndex={-1}
            className="mb-3 scroll-mt-4 text-sm font-medium text-gray-900 focus:outline-none"
          >
            Test the connection
          </h3>
          <RoleGate permission="startTestSignIn" role={actor.role}>
            <TestSignIn initialResult={testResult} connectionId={connection.id} />
          </RoleGate>
        </div>
      </Card>

      {connection.protocol === 'saml' ? (
        <RoleGate permission="addSamlCertificate" role={actor.role}>
          <SamlConnectionDetails
            connection={connection}
            metadataDownloadHref={samlMetadataPath(connection.id)}
            acsIsConsole={isConsoleSamlAcsUrl(connection.spAcsUrl)}
            certificateOutcome={query.certificate}
            metadataOutcome={query.metadata}
            actions={{
              addCertificate: addSamlCertificate,
              removeCertificate: removeSamlCertificate,
              useConsoleAcs: useConsoleSamlAcs,
              refreshMetadata: refreshSamlMetadata,
            }}
          />
        </RoleGate>
      ) : null}

      {connection.protocol === 'saml' && spKeys ? (
        <Card
          id="saml-sp-keys"
          aria-label={SP_KEY_TEXT.title}
          title={SP_KEY_TEXT.title}
          description={SP_KEY_TEXT.description}
        >
          <RoleGate permission="rotateSpKey" role={actor.role}>
            <SamlSpKeys
              connectionId={connection.id}
              signAuthnRequests={connection.signAuthnRequests ?? false}
              keys={spKeys}
              outcome={spKeyOutcomeOf(query.spkey)}
              actions={{ setSignAuthnRequests, rotate: rotateSpKey, promote: promoteSpKey, retire: retireSpKey }}
            />
          </RoleGate>
        </Card>
      ) : null}

      <Card
        aria-label={`Logout of ${connection.name}`}
        title={LOGOUT_TEXT.title}
        description={connection.protocol === 'saml' ? LOGOUT_TEXT.samlDescription : LOGOUT_TEXT.oidcDescription}
      >
        {connection.protocol === 'saml' ? (
          <RoleGate permission="setIdpSloUrl" role={actor.role}>
            <SamlLogoutUrls
              connectionId={connection.id}
              spSloUrl={connection.spSloUrl}
              idpSloUrl={connection.idpSloUrl ?? null}
              action={setIdpSloUrl}
            />
          </RoleGate>
        ) : (
          <OidcLogoutUrls
            backchannelLogoutUri={connection.backchannelLogoutUri}
            postLogoutRedirectUri={`${env().APP_URL}${POST_LOGOUT_PATH}`}
          />
        )}
      </Card>

      {summary ? (
        <Card
          aria-label={`Last 24 hours of ${connection.name}`}
          title="Last 24 hours"
          description="Sign-ins through this connection, including test sign-ins."
        >
          <SignInSummaryView summary={summary} connectionId={connection.id} />
        </Card>
      ) : null}

      {connection.protocol === 'saml' ? (
        <Card aria-label="Attribute mapping" title="Attribute mapping" description={ATTRIBUTE_MAPPING_TEXT.description}>
          <RoleGate permission="saveAttributeMapping" role={actor.role}>
            <SamlAttributeMapping
              action={saveAttributeMapping}
              connectionId={connection.id}
              mapping={connection.attributeMapping}
              received={received}
            />
          </RoleGate>
        </Card>
      ) : null}

      <Card aria-label="Session settings" title="Session" description={SESSION_POLICY_TEXT.description}>
        <RoleGate permission="saveSessionPolicy" role={actor.role}>
          <SessionPolicyForm
            action={saveSessionPolicy}
            connectionId={connection.id}
            protocol={connection.protocol}
            initial={{
              maxSessionMinutes: secondsToMinutesText(connection.maxSessionSeconds),
              ...(connection.protocol === 'oidc'
                ? { maxAuthAgeMinutes: secondsToMinutesText(connection.maxAuthAgeSeconds) }
                : {}),
            }}
          />
        </RoleGate>
      </Card>

      {actor.kind === 'admin' ? (
        <Card
          aria-label="Console roles"
          title="Console roles"
          description="Who may sign in to this console with their work email through this connection, and with which role: map IdP groups to owner, admin or viewer (the highest mapped role wins). The groups are read from the connection’s group claim (set it under Change the connection). Nobody gets a console role until a group is mapped. Changes apply at each person’s next sign-in."
        >
          <RoleGate permission="saveConsoleRoles" role={actor.role}>
            <ConsoleRolesForm
              action={saveConsoleRoles}
              connectionId={connection.id}
              initial={valuesOfMappings(connection.consoleRoleMappings ?? {})}
              blankRows={CONSOLE_ROLE_BLANK_ROWS}
            />
          </RoleGate>
        </Card>
      ) : null}

      <Card title="Status" description="Who may sign in with this connection.">
        <RoleGate permission="setConnectionStatus" role={actor.role}>
          <ConnectionStatusForm action={setConnectionStatus} connectionId={connection.id} status={connection.status} />
        </RoleGate>
      </Card>

      {domainViews ? (
        <Card
          aria-label={`Email domains of ${connection.name}`}
          title="Email domains"
          description="Members whose work email is at a verified domain sign in by typing their email on the sign-in page. Prove each domain with a DNS TXT record."
        >
          <RoleGate permission="addConnectionDomain" role={actor.role}>
            <ConnectionDomains
              connectionId={connection.id}
              domains={domainViews}
              actions={{ add: addConnectionDomain, verify: verifyConnectionDomain, remove: removeConnectionDomain }}
            />
          </RoleGate>
        </Card>
      ) : (
        // An API without the domains routes: the connection's listed domains, read-only.
        <Card title="Domains" description="Email domains whose members sign in with this connection.">
          <p className="text-sm text-gray-900">
            <DomainList domains={connection.domains} />
          </p>
        </Card>
      )}

      {connection.protocol === 'saml' ? (
        <Card
          title="Change the connection"
          description="The IdP certificate is write-only. Certificates are rotated in their own section above."
        >
          <RoleGate permission="updateSamlConnection" role={actor.role}>
            <SamlConnectionForm
              action={updateSamlConnection}
              justSaved={query.saved === '1'}
              connection={{
                id: connection.id,
                name: connection.name,
                idpEntityId: connection.idpEntityId,
                idpSsoUrl: connection.idpSsoUrl,
                idpMetadataUrl: connection.idpMetadataUrl ?? null,
                allowIdpInitiated: connection.allowIdpInitiated,
                verifiedDomainsOnly: connection.verifiedDomainsOnly ?? false,
              }}
            />
          </RoleGate>
        </Card>
      ) : (
        <>
          <Card
            title="Provider setup guide"
            description="Where to create the app at your provider, and which values go into the form below."
          >
            {/* What to register: the connection's own address (a connection on the shared one is asked to add it above). */}
            <ProviderGuide redirectUri={redirectUris?.own ?? connection.redirectUri} initial={provider} />
          </Card>

          <Card
            title="Change the connection"
            description="The issuer is checked again on save. The client secret is write-only: leave it blank to keep the saved one."
          >
            <RoleGate permission="updateOidcConnection" role={actor.role}>
              <OidcConnectionForm
                action={updateOidcConnection}
                devMode={ssoDevMode()}
                justSaved={query.saved === '1'}
                issuerNote={
                  query.saved === '1' && query.trimmed === '1'
                    ? discoveryUrlTrimmedNote(connection.issuerUrl)
                    : undefined
                }
                connection={{
                  id: connection.id,
                  name: connection.name,
                  issuerUrl: connection.issuerUrl,
                  clientId: connection.clientId,
                  redirectUri: connection.redirectUri,
                  updatedAt: connection.updatedAt,
                  provisioning,
                }}
              />
            </RoleGate>
          </Card>
        </>
      )}
    </div>
  );
}
