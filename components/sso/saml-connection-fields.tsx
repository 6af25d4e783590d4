/**
 * The SAML connection form's fields (inside the shared shell, ./connection-form). The IdP's details come from a
 * metadata URL, pasted metadata XML or three fields; a native radio group picks the way and CSS (`:has(:checked)`)
 * shows its fields, so it works without JavaScript. Only the chosen way's fields are used by the action. The
 * certificate is write-only: never given a value, so it is never in the page.
 */
import type { ReactNode } from 'react';
import { Field, Input, Textarea } from '@/components/ui';
import { cn } from '@/components/ui/cn';
import { NEW_IDP_TEXT, PROVISIONING_TEXT, SAML_TEXT } from '@/lib/console/messages';
import type { NewConnectionDefaults } from './connection-form';
import { CHOICE_CHIP } from './choice-chip';
import { NewIdpConfirm } from './new-idp-confirm';
import { VerifiedDomainsOnlyField } from './provisioning-fields';
import { isConnectionStatus, StatusChoice } from './status-choice';

/** The SAML connection being edited, as the page shows it (certificates are managed in their own section). */
export interface SavedSamlConnection {
  id: string;
  name: string;
  idpEntityId: string;
  idpSsoUrl: string;
  idpMetadataUrl: string | null;
  allowIdpInitiated: boolean;
  verifiedDomainsOnly: boolean;
}

const SOURCES = [
  { id: 'url', label: 'Metadata URL' },
  { id: 'xml', label: 'Metadata XML' },
  { id: 'fields', label: 'Enter the details' },
] as const;
type Source = (typeof SOURCES)[number]['id'];

// Literal class names (Tailwind generates only what it finds): each panel shows while its radio is checked.
const SHOW_WHEN_CHECKED: Record<Source, string> = {
  url: 'group-has-[#saml-source-url:checked]/source:block',
  xml: 'group-has-[#saml-source-xml:checked]/source:block',
  fields: 'group-has-[#saml-source-fields:checked]/source:block',
};

const isSource = (v: unknown): v is Source => SOURCES.some((s) => s.id === v);

export function SamlConnectionFields({
  values: v,
  errors: err,
  connection,
  create,
  failed,
}: {
  /** The values to show: the action's echo, or the saved connection's (never the certificate). */
  values: Partial<Record<string, string>>;
  errors: Partial<Record<string, string>>;
  connection: SavedSamlConnection | null;
  create: NewConnectionDefaults | undefined;
  /** The last save failed on the form level: the certificate hint asks for it again. */
  failed: boolean;
}) {
  const source: Source = isSource(v.idpSource) ? v.idpSource : 'url';
  const certificateHint = connection
    ? 'Optional: replaces all of the connection’s certificates. To rotate, add the new certificate in the certificates section instead. Never shown again.'
    : failed
      ? SAML_TEXT.certificateNeverShown
      : 'The certificate the identity provider signs responses or assertions with (PEM). A chain pasted with its CA certificates is fine: only the signing certificate is kept. Never shown again after saving.';

  return (
    <>
      <Field
        id="saml-name"
        label="Name"
        error={err.name}
        hint="How admins and members recognise it, e.g. “ADFS (production)”."
      >
        <Input name="name" defaultValue={v.name ?? ''} autoComplete="off" />
      </Field>

      <fieldset className="group/source space-y-4">
        <legend className="mb-2 text-sm font-medium text-gray-900">Identity provider details</legend>
        <div className="flex flex-wrap gap-2">
          {SOURCES.map((s) => (
            <label
              key={s.id}
              htmlFor={`saml-source-${s.id}`}
              className={cn('flex cursor-pointer items-center gap-2 py-1.5', CHOICE_CHIP)}
            >
              <input
                type="radio"
                id={`saml-source-${s.id}`}
                name="idpSource"
                value={s.id}
                defaultChecked={s.id === source}
                className="h-4 w-4 accent-indigo-600"
              />
              {s.label}
            </label>
          ))}
        </div>
        <Panel source="url">
          <Field
            id="saml-idpMetadataUrl"
            label="IdP metadata URL"
            error={err.idpMetadataUrl}
            hint={
              connection
                ? 'Grantex fetches it again when you save and replaces the entity ID, SSO URL and certificates with what it says.'
                : 'Grantex fetches it when you save and reads the entity ID, SSO URL and signing certificate from it.'
            }
          >
            <Input
              name="idpMetadataUrl"
              type="url"
              inputMode="url"
              defaultValue={v.idpMetadataUrl ?? ''}
              placeholder="https://idp.example.com/saml/metadata"
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
        </Panel>
        <Panel source="xml">
          <Field
            id="saml-idpMetadataXml"
            label="IdP metadata XML"
            error={err.idpMetadataXml}
            hint="Paste the whole metadata document your identity provider offers for download."
          >
            <Textarea
              name="idpMetadataXml"
              rows={6}
              defaultValue={v.idpMetadataXml ?? ''}
              spellCheck={false}
              className="font-mono"
            />
          </Field>
        </Panel>
        <Panel source="fields">
          <div className="space-y-4">
            <Field
              id="saml-idpEntityId"
              label="IdP entity ID"
              error={err.idpEntityId}
              hint={
                connection
                  ? `The identity provider’s entityID (often a URL). ${NEW_IDP_TEXT.warning}`
                  : 'The identity provider’s entityID (often a URL).'
              }
            >
              <Input name="idpEntityId" defaultValue={v.idpEntityId ?? ''} autoComplete="off" spellCheck={false} />
            </Field>
            <Field
              id="saml-idpSsoUrl"
              label="IdP SSO URL"
              error={err.idpSsoUrl}
              hint="Its single sign-on URL for the HTTP-Redirect binding."
            >
              <Input
                name="idpSsoUrl"
                type="url"
                inputMode="url"
                defaultValue={v.idpSsoUrl ?? ''}
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <Field
              id="saml-idpCertificate"
              label="IdP signing certificate"
              labelSuffix={connection ? '(optional)' : undefined}
              error={err.idpCertificate}
              hint={certificateHint}
            >
              <Textarea
                name="idpCertificate"
                rows={5}
                defaultValue=""
                placeholder="-----BEGIN CERTIFICATE-----"
                spellCheck={false}
                className="font-mono"
              />
            </Field>
          </div>
        </Panel>
        {connection ? <p className="text-sm text-gray-600">{NEW_IDP_TEXT.samlMetadataNote}</p> : null}
        {connection && (err.confirmNewIdp || v.confirmNewIdp === 'on') ? (
          // Answers a save that typed another entity ID: the box the action requires ticked (works without JavaScript).
          <NewIdpConfirm idPrefix="saml" checked={v.confirmNewIdp === 'on'} error={err.confirmNewIdp} />
        ) : null}
      </fieldset>

      <fieldset className="space-y-3 rounded-md border border-gray-200 p-4">
        <legend className="px-1 text-sm font-semibold text-gray-900">Provisioning</legend>
        <p className="text-sm text-gray-600">{PROVISIONING_TEXT.samlEmailTrust}</p>
        <VerifiedDomainsOnlyField idPrefix="saml" checked={v.verifiedDomainsOnly === 'on'} />
      </fieldset>

      {create ? (
        <StatusChoice
          name="status"
          idPrefix="saml-status"
          value={isConnectionStatus(v.status) ? v.status : create.status}
          hint={create.statusHint}
          error={err.status}
        />
      ) : null}

      <div className="rounded-md border border-amber-200 bg-amber-50 p-3">
        <div className="flex items-start gap-2">
          <input
            id="saml-allowIdpInitiated"
            name="allowIdpInitiated"
            type="checkbox"
            defaultChecked={v.allowIdpInitiated === 'on'}
            aria-describedby="saml-allowIdpInitiated-hint"
            className="mt-0.5 h-4 w-4 rounded border-gray-300"
          />
          <label htmlFor="saml-allowIdpInitiated" className="text-sm font-medium text-gray-900">
            Allow IdP-initiated sign-in
          </label>
        </div>
        <p id="saml-allowIdpInitiated-hint" className="mt-1 pl-6 text-sm text-amber-900">
          {SAML_TEXT.idpInitiatedWarning}
        </p>
      </div>
    </>
  );
}

function Panel({ source, children }: { source: Source; children: ReactNode }) {
  return <div className={cn('hidden', SHOW_WHEN_CHECKED[source])}>{children}</div>;
}
