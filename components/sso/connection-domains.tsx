'use client';

import { useActionState } from 'react';
import { Alert, Badge, CodeValue, Field, Input } from '@/components/ui';
import { SubmitButton } from '@/components/sso/submit-button';
import { formatTime } from '@/components/sso/format-time';
import { initialFormState, type FormState } from '@/lib/auth/form-state';
import type { ConnectionDomainView } from '@/lib/console/settings/connection-domains';
import { DOMAIN_RECHECK_TEXT } from '@/lib/console/messages';

type DomainFields = { connectionId: string; domain: string };
type DomainState = FormState<DomainFields>;
type VerifyState = FormState<{ domain: string }>;
export type DomainAction = (prev: DomainState, formData: FormData) => Promise<DomainState>;
export type VerifyDomainAction = (prev: VerifyState, formData: FormData) => Promise<VerifyState>;

export interface ConnectionDomainsProps {
  connectionId: string;
  domains: ConnectionDomainView[];
  actions: { add: DomainAction; verify: VerifyDomainAction; remove: DomainAction };
}

/** A form result as an alert: success is a status, failure an alert (both announced). */
function Outcome({ state }: { state: { ok: boolean; message?: string; formError?: string } }) {
  if (state.ok && state.message) return <Alert tone="success">{state.message}</Alert>;
  if (!state.ok && state.formError) return <Alert tone="error">{state.formError}</Alert>;
  return null;
}

function StatusBadge({ status }: { status: ConnectionDomainView['status'] }) {
  if (status === 'verified') return <Badge tone="success">Verified</Badge>;
  return <Badge tone="warning">Not verified</Badge>;
}

interface DomainItemProps {
  connectionId: string;
  view: ConnectionDomainView;
  verifyAction: VerifyDomainAction;
  /** The section's remove dispatcher: its outcome outlives the removed item. */
  remove: (formData: FormData) => void;
}

function DomainItem({ connectionId, view, verifyAction, remove }: DomainItemProps) {
  const [verifyState, verify] = useActionState<VerifyState, FormData>(verifyAction, initialFormState());
  const headingId = `domain-${view.domain.replace(/[^a-z0-9-]/g, '-')}`;
  return (
    <li aria-labelledby={headingId} className="space-y-3 rounded-md border border-gray-200 p-4">
      <div className="flex flex-wrap items-center gap-2">
        <h4 id={headingId} className="font-mono text-sm font-medium break-all text-gray-900">
          {view.domain}
        </h4>
        <StatusBadge status={view.status} />
        {view.verifiedAt ? (
          <span className="text-xs text-gray-600">
            since <time dateTime={view.verifiedAt}>{formatTime(view.verifiedAt)}</time>
          </span>
        ) : view.lastCheckedAt ? (
          <span className="text-xs text-gray-600">
            last checked <time dateTime={view.lastCheckedAt}>{formatTime(view.lastCheckedAt)}</time>
          </span>
        ) : null}
      </div>
      {view.failingSince && view.releasesAt ? (
        <Alert tone="warning">
          {DOMAIN_RECHECK_TEXT.failing(formatTime(view.failingSince), formatTime(view.releasesAt))}
        </Alert>
      ) : null}
      {(view.status !== 'verified' || view.failingSince) && view.txtRecordName && view.txtRecordValue ? (
        <div className="space-y-2 text-sm">
          <p className="text-gray-700">
            {view.failingSince
              ? DOMAIN_RECHECK_TEXT.restoreHint
              : 'Publish this TXT record at your DNS provider, then press Verify:'}
          </p>
          <p className="font-medium text-gray-900">Name</p>
          <CodeValue value={view.txtRecordName} copyLabel={`Copy TXT record name for ${view.domain}`} />
          <p className="font-medium text-gray-900">Value</p>
          <CodeValue value={view.txtRecordValue} copyLabel={`Copy TXT record value for ${view.domain}`} />
        </div>
      ) : view.status === 'unregistered' ? (
        <p className="text-sm text-gray-700">Press Verify to get the TXT record to publish for this domain.</p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        {view.status !== 'verified' || view.failingSince ? (
          <form action={verify}>
            <input type="hidden" name="domain" value={view.domain} />
            <SubmitButton
              variant="secondary"
              size="sm"
              pendingLabel={`checking ${view.domain}`}
              aria-label={`Verify ${view.domain}`}
            >
              Verify
            </SubmitButton>
          </form>
        ) : null}
        <form action={remove}>
          <input type="hidden" name="connectionId" value={connectionId} />
          <input type="hidden" name="domain" value={view.domain} />
          <SubmitButton
            variant="ghost"
            size="sm"
            pendingLabel={`removing ${view.domain}`}
            aria-label={`Remove ${view.domain}`}
          >
            Remove
          </SubmitButton>
        </form>
      </div>
      <Outcome state={verifyState} />
    </li>
  );
}

/**
 * The email domains of one connection: members whose address is at a verified domain sign in by typing it on
 * /login. Works without JavaScript (plain forms posting server actions).
 */
export function ConnectionDomains({ connectionId, domains, actions }: ConnectionDomainsProps) {
  const [addState, add] = useActionState<DomainState, FormData>(actions.add, initialFormState({ connectionId }));
  const [removeState, remove] = useActionState<DomainState, FormData>(actions.remove, initialFormState());
  return (
    <div className="space-y-4">
      {domains.length > 0 ? (
        <ul className="space-y-3" aria-label="Email domains">
          {domains.map((view) => (
            <DomainItem
              key={view.domain}
              connectionId={connectionId}
              view={view}
              verifyAction={actions.verify}
              remove={remove}
            />
          ))}
        </ul>
      ) : (
        <p className="text-sm text-gray-700">No email domains yet.</p>
      )}
      <Outcome state={removeState} />
      <form action={add} className="space-y-3">
        <input type="hidden" name="connectionId" value={connectionId} />
        <Field
          id={`add-domain-${connectionId}`}
          label="Email domain"
          hint="e.g. example.com: members with an @example.com address sign in here"
          error={addState.fieldErrors.domain}
        >
          <Input
            name="domain"
            defaultValue={addState.ok ? '' : (addState.values.domain ?? '')}
            required
            maxLength={253}
            spellCheck={false}
            autoCapitalize="none"
          />
        </Field>
        <SubmitButton variant="secondary" pendingLabel="adding the domain">
          Add domain
        </SubmitButton>
      </form>
      <Outcome state={addState} />
    </div>
  );
}
