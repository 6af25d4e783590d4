'use client';
/**
 * The SAML connection form (new and edit): the shared shell (./connection-form) around the SAML field set
 * (./saml-connection-fields). The IdP certificate is write-only: it is never sent back to the browser (after an
 * error it must be pasted again). No client-side rules: the action checks, and Grantex's per-field reasons come
 * back next to the fields.
 */
import { initialFormState } from '@/lib/auth/form-state';
import type { SamlConnectionInput } from '@/lib/validations/saml-connection';
import { SAML_TEXT } from '@/lib/console/messages';
import {
  ConnectionFormShell,
  useConnectionForm,
  type ConnectionFormAction,
  type NewConnectionDefaults,
} from './connection-form';
import { SamlConnectionFields, type SavedSamlConnection } from './saml-connection-fields';

export type { SavedSamlConnection } from './saml-connection-fields';

export function SamlConnectionForm({
  action,
  connection,
  create,
  justSaved = false,
}: {
  action: ConnectionFormAction<SamlConnectionInput>;
  connection: SavedSamlConnection | null;
  create?: NewConnectionDefaults;
  justSaved?: boolean;
}) {
  const form = useConnectionForm<SamlConnectionInput>(
    action,
    {
      ...initialFormState<SamlConnectionInput>({
        name: connection?.name ?? create?.name ?? '',
        ...(create ? { status: create.status } : {}),
        idpSource: connection ? 'fields' : 'url',
        idpMetadataUrl: connection?.idpMetadataUrl ?? '',
        idpEntityId: connection?.idpEntityId ?? '',
        idpSsoUrl: connection?.idpSsoUrl ?? '',
        ...(connection?.allowIdpInitiated ? { allowIdpInitiated: 'on' } : {}),
        ...(connection?.verifiedDomainsOnly ? { verifiedDomainsOnly: 'on' } : {}),
      }),
      ...(justSaved && connection ? { ok: true, message: SAML_TEXT.saved } : {}),
    },
    { justSaved },
  );
  return (
    <ConnectionFormShell key={form.key} form={form} connectionId={connection?.id ?? null}>
      <SamlConnectionFields
        values={form.state.values}
        errors={form.state.fieldErrors}
        connection={connection}
        create={create}
        failed={Boolean(form.state.formError)}
      />
    </ConnectionFormShell>
  );
}
