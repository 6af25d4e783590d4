'use client';

import { useActionState } from 'react';
import { Alert, CodeValue, Field, Input } from '@/components/ui';
import { SubmitButton } from '@/components/sso/submit-button';
import { WEBHOOK_FORMAT_TEXT, WEBHOOKS_TEXT } from '@/lib/console/messages';
import { createWebhook } from './actions';
import { ALL_EVENTS, initialCreateWebhookState } from './state';

/**
 * Adds an endpoint: URL, the events it wants (checkboxes, "All events" included) and its format (Grantex events,
 * or OCSF / ECS batches for a SIEM); the signing secret is shown here once with a copy button, then never again.
 * Works without JavaScript.
 */
export function CreateWebhookForm({ eventTypes }: { eventTypes: readonly string[] }) {
  const [state, action] = useActionState(createWebhook, initialCreateWebhookState);
  const chosen = new Set((state.values.events ?? ALL_EVENTS).split(',').filter(Boolean));
  const format = state.ok ? 'grantex' : (state.values.format ?? 'grantex');
  // The formats from the texts' keys (typed against the contract there): no contract code in the browser bundle.
  const formats = Object.keys(WEBHOOK_FORMAT_TEXT) as (keyof typeof WEBHOOK_FORMAT_TEXT)[];
  return (
    <div className="space-y-5">
      {state.ok && state.secret ? (
        <Alert tone="warning" title={`Endpoint added: ${state.createdUrl ?? ''}`}>
          <p>{WEBHOOKS_TEXT.secretWarning}</p>
          <CodeValue
            value={state.secret}
            copyLabel="Copy signing secret"
            className="mt-3"
            id="created-webhook-secret"
          />
        </Alert>
      ) : null}
      {!state.ok && state.formError ? (
        <Alert tone="error" title="The endpoint was not added">
          {state.formError}
        </Alert>
      ) : null}
      <form action={action} className="space-y-4" noValidate>
        <Field id="webhook-url" label="Endpoint URL" error={state.fieldErrors.url}>
          <Input
            name="url"
            type="url"
            maxLength={2048}
            placeholder="https://hooks.example.com/grantex"
            defaultValue={state.ok ? '' : (state.values.url ?? '')}
          />
        </Field>
        <fieldset aria-describedby={state.fieldErrors.events ? 'webhook-events-error' : undefined}>
          <legend className="mb-2 text-sm font-medium text-gray-900">Events</legend>
          <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
            {[ALL_EVENTS, ...eventTypes].map((type) => {
              const id = `webhook-event-${type === ALL_EVENTS ? 'all' : type.replaceAll('.', '-')}`;
              return (
                <div key={type} className="flex items-center gap-2">
                  <input
                    id={id}
                    type="checkbox"
                    name="events"
                    value={type}
                    defaultChecked={chosen.has(type)}
                    className="h-4 w-4"
                  />
                  <label htmlFor={id} className="text-sm text-gray-900">
                    {type === ALL_EVENTS ? 'All events' : <code>{type}</code>}
                  </label>
                </div>
              );
            })}
          </div>
          {state.fieldErrors.events ? (
            <p id="webhook-events-error" className="mt-2 text-sm text-red-700">
              {state.fieldErrors.events}
            </p>
          ) : null}
        </fieldset>
        <fieldset>
          <legend className="mb-2 text-sm font-medium text-gray-900">{WEBHOOKS_TEXT.formatLegend}</legend>
          <div className="space-y-2">
            {formats.map((f) => (
              <div key={f} className="flex items-start gap-2">
                <input
                  id={`webhook-format-${f}`}
                  type="radio"
                  name="format"
                  value={f}
                  defaultChecked={format === f}
                  aria-describedby={`webhook-format-${f}-hint`}
                  className="mt-1 h-4 w-4"
                />
                <div>
                  <label htmlFor={`webhook-format-${f}`} className="text-sm text-gray-900">
                    {WEBHOOK_FORMAT_TEXT[f].label}
                  </label>
                  <p id={`webhook-format-${f}-hint`} className="text-xs text-gray-600">
                    {WEBHOOK_FORMAT_TEXT[f].hint}
                  </p>
                </div>
              </div>
            ))}
          </div>
        </fieldset>
        <SubmitButton pendingLabel="adding">Add endpoint</SubmitButton>
      </form>
    </div>
  );
}
