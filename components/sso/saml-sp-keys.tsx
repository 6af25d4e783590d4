'use client';
/**
 * A SAML connection's own SP keys on its page: the "Sign AuthnRequests" switch, and per use (signing,
 * encryption) the keys with fingerprint, creation, state and expiry, with the rotation steps as buttons
 * (rotate → promote → retire). Plain forms with server actions (authorized on every call), so they work without
 * JavaScript; each shows its own typed outcome.
 */
import { useActionState } from 'react';
import type { SamlSpKey, SpKeyUse } from '@/lib/contract';
import { SP_KEY_TEXT } from '@/lib/console/messages';
import type { SpKeyOutcome } from '@/lib/console/settings/sp-keys';
import { Alert, Badge, Button, type BadgeTone } from '@/components/ui';
import { initialFormState, type FormState } from '@/lib/auth/form-state';
import { CONNECTION_ID_FIELD } from '@/lib/validations/connection-fields';
import { formatTime } from './format-time';

type State = FormState<Record<string, string>>;
export type SpKeyAction = (prev: State, formData: FormData) => Promise<State>;

const STATE_TONE: Record<SamlSpKey['state'], BadgeTone> = { current: 'success', next: 'warning', previous: 'neutral' };

function Outcome({ state }: { state: State }) {
  if (state.ok && state.message) return <Alert tone="success">{state.message}</Alert>;
  if (!state.ok && state.formError) return <Alert tone="error">{state.formError}</Alert>;
  return null;
}

/** One button that posts its hidden fields to an action and shows the outcome above it. */
function ActionButton({
  action,
  connectionId,
  fields,
  label,
  ariaLabel,
  variant = 'secondary',
  pendingLabel,
}: {
  action: SpKeyAction;
  connectionId: string;
  fields: Record<string, string>;
  label: string;
  ariaLabel?: string;
  variant?: 'secondary' | 'danger' | 'primary';
  pendingLabel: string;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState());
  return (
    <form action={formAction} className="space-y-2">
      <input type="hidden" name={CONNECTION_ID_FIELD} value={connectionId} />
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <Outcome state={state} />
      <Button
        type="submit"
        variant={variant}
        size="sm"
        pending={pending}
        pendingLabel={pendingLabel}
        aria-label={ariaLabel}
      >
        {label}
      </Button>
    </form>
  );
}

export interface SpKeyActions {
  setSignAuthnRequests: SpKeyAction;
  rotate: SpKeyAction;
  promote: SpKeyAction;
  retire: SpKeyAction;
}

export function SamlSpKeys({
  connectionId,
  signAuthnRequests,
  keys,
  actions,
  outcome,
}: {
  connectionId: string;
  signAuthnRequests: boolean;
  keys: SamlSpKey[];
  actions: SpKeyActions;
  /** `?spkey=`: the outcome of the change just made. */
  outcome: SpKeyOutcome | null;
}) {
  return (
    <div className="space-y-6">
      {outcome ? <Alert tone="success">{SP_KEY_TEXT[outcome]}</Alert> : null}
      <div className="space-y-2">
        <p className="text-sm text-gray-900">
          <span className="font-medium">{SP_KEY_TEXT.signAuthnRequests}:</span> {signAuthnRequests ? 'On' : 'Off'}
        </p>
        <p className="text-sm text-gray-600">{SP_KEY_TEXT.signAuthnRequestsHint}</p>
        <ActionButton
          action={actions.setSignAuthnRequests}
          connectionId={connectionId}
          fields={{ sign: signAuthnRequests ? 'off' : 'on' }}
          label={signAuthnRequests ? 'Stop signing AuthnRequests' : 'Sign AuthnRequests'}
          pendingLabel="saving"
        />
      </div>
      {(['signing', 'encryption'] as const).map((use) => (
        <KeysOfUse
          key={use}
          use={use}
          connectionId={connectionId}
          keys={keys.filter((k) => k.use === use)}
          signAuthnRequests={signAuthnRequests}
          actions={actions}
        />
      ))}
    </div>
  );
}

function KeysOfUse({
  use,
  connectionId,
  keys,
  signAuthnRequests,
  actions,
}: {
  use: SpKeyUse;
  connectionId: string;
  keys: SamlSpKey[];
  signAuthnRequests: boolean;
  actions: SpKeyActions;
}) {
  const hasNext = keys.some((k) => k.state === 'next');
  const hasCurrent = keys.some((k) => k.state === 'current');
  const title = `${SP_KEY_TEXT.uses[use]} keys`;
  return (
    <section aria-label={title} className="space-y-3">
      <h3 className="text-sm font-medium text-gray-900">{title}</h3>
      {use === 'encryption' ? <p className="text-sm text-gray-600">{SP_KEY_TEXT.encryptionHint}</p> : null}
      {keys.length === 0 ? (
        <p className="text-sm text-gray-600">{SP_KEY_TEXT.none}</p>
      ) : (
        <ul className="divide-y divide-gray-200 rounded-md border border-gray-200" aria-label={title}>
          {keys.map((k) => {
            // The current key goes only when it is alone (and, for signing, requests are not signed).
            const removable = k.state !== 'current' || (keys.length === 1 && !(use === 'signing' && signAuthnRequests));
            return (
              <li key={k.id} className="space-y-2 p-3 text-sm">
                <div className="flex flex-wrap items-center gap-2">
                  <Badge tone={STATE_TONE[k.state]}>{SP_KEY_TEXT.states[k.state]}</Badge>
                  {k.published ? <span className="text-gray-600">In the SP metadata</span> : null}
                </div>
                <dl className="grid grid-cols-1 gap-x-3 sm:grid-cols-[max-content_1fr]">
                  <dt className="font-medium text-gray-600">SHA-256 fingerprint</dt>
                  <dd className="font-mono text-[0.8125rem] break-all text-gray-900">{k.fingerprintSha256}</dd>
                  <dt className="font-medium text-gray-600">Created</dt>
                  <dd className="text-gray-900">
                    <time dateTime={k.createdAt}>{formatTime(k.createdAt)}</time>
                  </dd>
                  <dt className="font-medium text-gray-600">Certificate expires</dt>
                  <dd className="text-gray-900">
                    <time dateTime={k.notAfter}>{formatTime(k.notAfter)}</time>
                  </dd>
                </dl>
                <div className="flex flex-wrap gap-2">
                  {k.state === 'next' ? (
                    <ActionButton
                      action={actions.promote}
                      connectionId={connectionId}
                      fields={{ use }}
                      label="Promote to current"
                      ariaLabel={`Promote ${use} key ${k.fingerprintSha256.slice(0, 11)}`}
                      pendingLabel="promoting"
                    />
                  ) : null}
                  {removable ? (
                    <ActionButton
                      action={actions.retire}
                      connectionId={connectionId}
                      fields={{ keyId: k.id }}
                      label="Remove"
                      ariaLabel={`Remove ${use} key ${k.fingerprintSha256.slice(0, 11)}`}
                      variant="danger"
                      pendingLabel="removing"
                    />
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {!hasNext ? (
        <ActionButton
          action={actions.rotate}
          connectionId={connectionId}
          fields={{ use, first: hasCurrent ? 'no' : 'yes' }}
          label={hasCurrent ? `Rotate ${use} key` : `Add ${use} key`}
          pendingLabel="making the key"
        />
      ) : null}
    </section>
  );
}
