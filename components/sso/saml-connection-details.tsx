/**
 * A SAML connection's own sections on its page (server-rendered): the service provider details the admin gives
 * their IdP (entity ID, ACS URL, metadata URL, each with a copy button, and the metadata XML to download), and
 * the IdP certificates with their SHA-256 fingerprint, expiry and state (a warning from 30 days before expiry,
 * an error once expired: Grantex refuses sign-ins signed with it), with rotation (add a second, remove the old).
 */
import type { SsoSamlConnection } from '@/lib/contract';
import { METADATA_REFRESH_TEXT, SAML_TEXT } from '@/lib/console/messages';
import { Alert, Badge, Card, type BadgeTone } from '@/components/ui';
import { CodeValue } from '@/components/ui/code-value';
import { formatTime } from './format-time';
import {
  AddSamlCertificateForm,
  RefreshSamlMetadataForm,
  RemoveSamlCertificateForm,
  UseConsoleAcsForm,
  type SamlCertificateAction,
} from './saml-certificate-forms';

type Certificate = SsoSamlConnection['idpCertificates'][number];

const CERT_STATE: Record<Certificate['status'], { tone: BadgeTone; label: string }> = {
  ok: { tone: 'success', label: 'Valid' },
  expiring: { tone: 'warning', label: 'Expires soon' },
  expired: { tone: 'error', label: 'Expired' },
};

const day = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));

/** The rows of "Current configuration" for a SAML connection. */
export function SamlConfigRows({ connection }: { connection: SsoSamlConnection }) {
  return (
    <>
      <dt className="font-medium text-gray-600">IdP entity ID</dt>
      <dd className="break-all text-gray-900">{connection.idpEntityId}</dd>
      <dt className="font-medium text-gray-600">IdP SSO URL</dt>
      <dd className="break-all text-gray-900">{connection.idpSsoUrl}</dd>
      {connection.idpMetadataUrl ? (
        <>
          <dt className="font-medium text-gray-600">IdP metadata URL</dt>
          <dd className="break-all text-gray-900">{connection.idpMetadataUrl}</dd>
        </>
      ) : null}
      <dt className="font-medium text-gray-600">IdP-initiated sign-in</dt>
      <dd className="text-gray-900">
        {connection.allowIdpInitiated ? 'Allowed (fresh assertions only, each once)' : 'Off'}
      </dd>
      <dt className="font-medium text-gray-600">AuthnRequests</dt>
      <dd className="text-gray-900">
        {connection.signAuthnRequests ? 'Signed (RSA-SHA256, the connection’s SP signing key)' : 'Unsigned'}
      </dd>
    </>
  );
}

export function SamlConnectionDetails({
  connection,
  metadataDownloadHref,
  acsIsConsole,
  certificateOutcome,
  metadataOutcome,
  actions,
}: {
  connection: SsoSamlConnection;
  /** The console route that serves the SP metadata XML as a download. */
  metadataDownloadHref: string;
  /** Whether the ACS URL is this console's route (else members would land on the Grantex API). */
  acsIsConsole: boolean;
  /** `?certificate=added|removed`: the outcome of the rotation step just taken. */
  certificateOutcome?: unknown;
  /** `?metadata=updated|unchanged|failed`: the outcome of the "Refresh now" just pressed. */
  metadataOutcome?: unknown;
  actions: {
    addCertificate: SamlCertificateAction;
    removeCertificate: SamlCertificateAction;
    useConsoleAcs: SamlCertificateAction;
    refreshMetadata: SamlCertificateAction;
  };
}) {
  const certificates = connection.idpCertificates;
  const expired = certificates.filter((c) => c.status === 'expired');
  const expiring = certificates.filter((c) => c.status === 'expiring');
  return (
    <>
      <Card
        title="Service provider details"
        description="Enter these in the SAML application at your identity provider (or give it the metadata URL)."
      >
        <div className="space-y-5">
          <SpValue
            title="SP entity ID"
            hint="Also called Audience, Identifier or Audience URI."
            value={connection.spEntityId}
            copyLabel="Copy SP entity ID"
          />
          <SpValue
            title="ACS URL"
            hint="Also called Reply URL or Single sign-on URL (HTTP-POST binding)."
            value={connection.spAcsUrl}
            copyLabel="Copy ACS URL"
          />
          {!acsIsConsole ? (
            <Alert tone="warning">
              <p>{SAML_TEXT.acsElsewhere}</p>
              <div className="mt-2">
                <UseConsoleAcsForm action={actions.useConsoleAcs} connectionId={connection.id} />
              </div>
            </Alert>
          ) : null}
          {connection.spMetadataUrl ? (
            <SpValue
              title="SP metadata URL"
              hint="Identity providers that import metadata by URL read all of the above from it."
              value={connection.spMetadataUrl}
              copyLabel="Copy SP metadata URL"
            />
          ) : null}
          <p className="text-sm">
            <a href={metadataDownloadHref} download className="font-medium text-indigo-700 underline">
              Download SP metadata (XML)
            </a>
          </p>
        </div>
      </Card>

      {connection.idpMetadataUrl && connection.idpMetadataRefresh !== undefined ? (
        <MetadataRefreshCard
          connection={connection}
          outcome={metadataOutcome}
          refreshAction={actions.refreshMetadata}
        />
      ) : null}

      <Card
        id="saml-certificates"
        aria-label="IdP certificates"
        title="IdP certificates"
        description="Assertions must be signed by one of these. To rotate, add the new certificate before the identity provider switches, then remove the old one."
      >
        <div className="space-y-4">
          {certificateOutcome === 'added' ? <Alert tone="success">{SAML_TEXT.certificateAdded}</Alert> : null}
          {certificateOutcome === 'removed' ? <Alert tone="success">{SAML_TEXT.certificateRemoved}</Alert> : null}
          {certificates.length > 0 && expired.length === certificates.length ? (
            <Alert tone="error">{SAML_TEXT.allCertificatesExpired}</Alert>
          ) : null}
          {expired.length > 0 && expired.length < certificates.length ? (
            <Alert tone="error">{SAML_TEXT.certificateExpired(day(expired[0]!.notAfter))}</Alert>
          ) : null}
          {expiring.length > 0 && expired.length === 0 ? (
            <Alert tone="warning">{SAML_TEXT.certificateExpiring(day(expiring[0]!.notAfter))}</Alert>
          ) : null}
          <ul className="divide-y divide-gray-200 rounded-md border border-gray-200" aria-label="Certificates">
            {certificates.map((c) => (
              <li key={c.fingerprintSha256} className="space-y-2 p-3 text-sm">
                <div className="flex flex-wrap items-center gap-2">
                  <Badge tone={CERT_STATE[c.status].tone}>{CERT_STATE[c.status].label}</Badge>
                  <span className="text-gray-900">
                    {c.status === 'expired' ? 'Expired' : 'Expires'}{' '}
                    <time dateTime={c.notAfter}>{formatTime(c.notAfter)}</time>
                  </span>
                </div>
                {c.subject ? <p className="break-all text-gray-600">Subject: {c.subject}</p> : null}
                <dl className="grid grid-cols-1 gap-x-3 sm:grid-cols-[max-content_1fr]">
                  <dt className="font-medium text-gray-600">SHA-256 fingerprint</dt>
                  <dd className="font-mono text-[0.8125rem] break-all text-gray-900">{c.fingerprintSha256}</dd>
                </dl>
                {certificates.length > 1 ? (
                  <RemoveSamlCertificateForm
                    action={actions.removeCertificate}
                    connectionId={connection.id}
                    fingerprint={c.fingerprintSha256}
                    label={c.fingerprintSha256.slice(0, 11)}
                  />
                ) : null}
              </li>
            ))}
          </ul>
          {certificates.length < 2 ? (
            <AddSamlCertificateForm action={actions.addCertificate} connectionId={connection.id} />
          ) : (
            <p className="text-sm text-gray-600">
              A connection keeps at most two certificates: remove the old one to add another.
            </p>
          )}
        </div>
      </Card>
    </>
  );
}

/** When the IdP metadata was last read from its URL, how that went, and "Refresh now". */
function MetadataRefreshCard({
  connection,
  outcome,
  refreshAction,
}: {
  connection: SsoSamlConnection;
  outcome: unknown;
  refreshAction: SamlCertificateAction;
}) {
  const refresh = connection.idpMetadataRefresh ?? null;
  const text = METADATA_REFRESH_TEXT;
  const justDone = typeof outcome === 'string' ? text.outcome[outcome] : undefined;
  const error =
    refresh?.lastResult === 'failed' && refresh.error ? (text.errors[refresh.error.code] ?? text.errorOther) : null;
  return (
    <Card
      id="saml-metadata"
      aria-label="IdP metadata refresh"
      title="IdP metadata refresh"
      description={text.description}
    >
      <div className="space-y-4">
        {justDone ? <Alert tone={outcome === 'failed' ? 'error' : 'success'}>{justDone}</Alert> : null}
        {error && !justDone ? <Alert tone="warning">{error}</Alert> : null}
        {refresh?.warnings.map((code) => (
          <Alert key={code} tone="warning">
            {text.warnings[code] ?? text.warningOther}
          </Alert>
        ))}
        <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          <dt className="font-medium text-gray-600">Metadata URL</dt>
          <dd className="break-all text-gray-900">{connection.idpMetadataUrl}</dd>
          <dt className="font-medium text-gray-600">Last refreshed</dt>
          <dd className="text-gray-900">
            {refresh?.lastRefreshedAt ? (
              <time dateTime={refresh.lastRefreshedAt}>{formatTime(refresh.lastRefreshedAt)}</time>
            ) : (
              text.never
            )}
          </dd>
          <dt className="font-medium text-gray-600">Last result</dt>
          <dd className="text-gray-900">
            {refresh?.lastResult ? (
              <>
                {text.results[refresh.lastResult] ?? refresh.lastResult}
                {refresh.lastAttemptAt ? (
                  <>
                    {' '}
                    (<time dateTime={refresh.lastAttemptAt}>{formatTime(refresh.lastAttemptAt)}</time>)
                  </>
                ) : null}
              </>
            ) : (
              text.never
            )}
          </dd>
          {refresh?.nextRefreshAt ? (
            <>
              <dt className="font-medium text-gray-600">Next refresh</dt>
              <dd className="text-gray-900">
                <time dateTime={refresh.nextRefreshAt}>{formatTime(refresh.nextRefreshAt)}</time>
              </dd>
            </>
          ) : null}
        </dl>
        <RefreshSamlMetadataForm action={refreshAction} connectionId={connection.id} />
      </div>
    </Card>
  );
}

function SpValue({ title, hint, value, copyLabel }: { title: string; hint: string; value: string; copyLabel: string }) {
  return (
    <div className="space-y-2">
      <h3 className="text-sm font-medium text-gray-900">{title}</h3>
      <p className="text-sm text-gray-600">{hint}</p>
      <CodeValue value={value} copyLabel={copyLabel} />
    </div>
  );
}
