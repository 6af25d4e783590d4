/**
 * SSO settings: a server component that loads the config and the last test result, and hands
 * only non-secret values to the small client components (the API key and the client secret never
 * reach the browser or the RSC payload).
 */
import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { requireAdmin } from '@/lib/auth';
import { callbackUrl, env } from '@/lib/env';
import { describeGrantexError, grantexForAdmin } from '@/lib/grantex/server';
import type { SsoConfig } from '@/lib/contract';
import { Alert, Badge, Card, CodeValue, PageHeader } from '@/components/ui';
import { SsoConfigForm } from '@/components/sso/sso-config-form';
import { formatTime } from '@/components/sso/format-time';
import { TestSignIn } from '@/components/sso/test-sign-in';
import { DeleteConfig } from '@/components/sso/delete-config';
import { ProviderGuide } from '@/components/sso/provider-guide';
import { isProviderId } from '@/components/sso/provider-guides';
import { readTestResult, TEST_RESULT_COOKIE } from '@/lib/console/member-login/test-result';
import { sealingSecret } from '@/lib/console/utils/cookie-options';
import { ssoDevMode } from '@/lib/console/utils/sso-mode';
import { deleteSsoConfig, saveSsoConfig } from './actions';
import { ConnectionDomains } from '@/components/sso/connection-domains';
import { loadConnectionDomainSections } from '@/lib/console/settings/connection-domains';
import { addConnectionDomain, removeConnectionDomain, verifyConnectionDomain } from './domain-actions';

export const metadata: Metadata = { title: 'Single sign-on' };
export const dynamic = 'force-dynamic';

export default async function SsoSettingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const admin = await requireAdmin('/settings/sso');
  let config: SsoConfig | null = null;
  let loadError: string | null = null;
  try {
    config = await grantexForAdmin(admin).getConfig();
  } catch (err) {
    loadError = describeGrantexError(err);
  }
  // Each connection's email domains (until each connection has its own page). An API without domains: no section.
  const domainSections = config ? await loadConnectionDomainSections(grantexForAdmin(admin)).catch(() => []) : [];
  const testResult = await readTestResult((await cookies()).get(TEST_RESULT_COOKIE)?.value, admin.developerId, sealingSecret());
  const callback = callbackUrl();
  const memberLink = `${env().APP_URL}/login?org=${encodeURIComponent(admin.developerId)}`;
  const orgLabel = `${admin.name} (${admin.developerId})`;
  const query = await searchParams;
  const justDeleted = query.deleted === '1' && !config;
  const provider = isProviderId(query.provider) ? query.provider : null;

  return (
    <div className="space-y-8">
      <PageHeader
        title="Single sign-on"
        description="Let your organization’s members sign in with your own identity provider (any OpenID Connect provider: Okta, Entra ID, Google Workspace, Auth0, Keycloak…)."
      />

      {justDeleted ? <Alert tone="success">SSO configuration deleted</Alert> : null}

      {loadError ? (
        <Alert tone="error" title="The current configuration could not be loaded">
          {loadError}
        </Alert>
      ) : null}

      <Card title="Your console’s addresses" description="Available before you configure anything.">
        <div className="space-y-5">
          <div className="space-y-2">
            <h3 className="text-sm font-medium text-gray-900">Callback URL</h3>
            <p className="text-sm text-gray-600">Register this exact URL as a redirect URI in your identity provider’s app.</p>
            <CodeValue value={callback} copyLabel="Copy callback URL" />
          </div>
          <div className="space-y-2">
            <h3 className="text-sm font-medium text-gray-900">Member sign-in link</h3>
            <p className="text-sm text-gray-600">Share this with your members once the test sign-in works.</p>
            <CodeValue value={memberLink} copyLabel="Copy member sign-in link" />
          </div>
        </div>
      </Card>

      {config ? (
        <Card
          title="Current configuration"
          actions={<Badge tone="success">Active</Badge>}
          footer={<DeleteConfig action={deleteSsoConfig} orgLabel={orgLabel} />}
        >
          <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[max-content_1fr]">
            <dt className="font-medium text-gray-600">Issuer</dt>
            <dd className="break-all text-gray-900">{config.issuerUrl}</dd>
            <dt className="font-medium text-gray-600">Client ID</dt>
            <dd className="break-all text-gray-900">{config.clientId}</dd>
            <dt className="font-medium text-gray-600">Client secret</dt>
            <dd className="text-gray-900">
              Secret set <span className="text-gray-600">(never shown again)</span>
            </dd>
            <dt className="font-medium text-gray-600">Redirect URI</dt>
            <dd className="break-all text-gray-900">{config.redirectUri}</dd>
            <dt className="font-medium text-gray-600">Created</dt>
            <dd className="text-gray-900">
              <time dateTime={config.createdAt}>{formatTime(config.createdAt)}</time>
            </dd>
            <dt className="font-medium text-gray-600">Updated</dt>
            <dd className="text-gray-900">
              <time dateTime={config.updatedAt}>{formatTime(config.updatedAt)}</time>
            </dd>
          </dl>
          <div className="mt-6 border-t border-gray-200 pt-5">
            {/* Target of the "Run a test sign-in" link in the form's "saved" message. */}
            <h3 id="sso-test" tabIndex={-1} className="mb-3 scroll-mt-4 text-sm font-medium text-gray-900 focus:outline-none">
              Test the configuration
            </h3>
            <TestSignIn initialResult={testResult} />
          </div>
        </Card>
      ) : !loadError ? (
        <Card title="SSO is not configured yet">
          <p className="text-sm text-gray-700">
            With single sign-on, members of {admin.name} sign in through your identity provider instead of a separate
            password. To set it up:
          </p>
          <ol className="mt-3 list-decimal space-y-1 pl-5 text-sm text-gray-700">
            <li>Register the callback URL above as a redirect URI in your identity provider.</li>
            <li>Enter the issuer URL, client ID and client secret it gives you below.</li>
            <li>Save the configuration (the issuer is checked first).</li>
            <li>Run a test sign-in to see the identity Grantex resolves.</li>
            <li>Share the member sign-in link with your members.</li>
          </ol>
        </Card>
      ) : null}

      {domainSections.map((section) => (
        <Card
          key={section.connectionId}
          aria-label={`Email domains of ${section.name}`}
          title={domainSections.length > 1 ? `Email domains · ${section.name}` : 'Email domains'}
          description="Members whose work email is at a verified domain sign in by typing their email on the sign-in page. Prove each domain with a DNS TXT record."
        >
          <ConnectionDomains
            connectionId={section.connectionId}
            domains={section.domains}
            actions={{ add: addConnectionDomain, verify: verifyConnectionDomain, remove: removeConnectionDomain }}
          />
        </Card>
      ))}

      <Card
        title="Provider setup guide"
        description="Where to create the app at your provider, and which values go into the form below."
      >
        <ProviderGuide redirectUri={callback} initial={provider} />
      </Card>

      <Card
        title={config ? 'Change the configuration' : 'Configure your identity provider'}
        description={
          config
            ? 'Saving replaces the current configuration. The client secret is write-only: enter it again to save.'
            : 'All four fields are required.'
        }
      >
        <SsoConfigForm
          action={saveSsoConfig}
          callbackUrl={callback}
          devMode={ssoDevMode()}
          config={config ? { issuerUrl: config.issuerUrl, clientId: config.clientId, redirectUri: config.redirectUri, updatedAt: config.updatedAt } : null}
        />
      </Card>
    </div>
  );
}
