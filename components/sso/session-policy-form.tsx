'use client';
/**
 * A connection's session settings: the maximum session length (both protocols) and, for OIDC, the maximum
 * authentication age sent as max_age. Minutes in the form, seconds on the wire; an empty field clears the setting.
 */
import { useActionState } from 'react';
import { Alert, Button, Field, Input } from '@/components/ui';
import { initialFormState, type FormState } from '@/lib/auth/form-state';
import { SESSION_POLICY_TEXT } from '@/lib/console/messages';
import { CONNECTION_ID_FIELD } from '@/lib/validations/connection-fields';

type Values = Partial<Record<'connectionId' | 'maxSessionMinutes' | 'maxAuthAgeMinutes', string>>;
type State = FormState<Values>;
export type SaveSessionPolicyAction = (prev: State, formData: FormData) => Promise<State>;

export function SessionPolicyForm({
  action,
  connectionId,
  protocol,
  initial,
}: {
  action: SaveSessionPolicyAction;
  connectionId: string;
  protocol: 'oidc' | 'saml';
  initial: Values;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState(initial));
  const values = { ...initial, ...state.values };
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <input type="hidden" name={CONNECTION_ID_FIELD} value={connectionId} />
      {state.ok && state.message ? <Alert tone="success">{state.message}</Alert> : null}
      {!state.ok && state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
      <fieldset className="space-y-4" key={JSON.stringify(values)}>
        <legend className="sr-only">Session settings</legend>
        <Field
          id="session-maxSessionMinutes"
          label={SESSION_POLICY_TEXT.maxSessionLabel}
          hint={SESSION_POLICY_TEXT.maxSessionHint}
          error={state.fieldErrors.maxSessionMinutes}
        >
          <Input name="maxSessionMinutes" inputMode="numeric" defaultValue={values.maxSessionMinutes ?? ''} />
        </Field>
        {protocol === 'oidc' ? (
          <Field
            id="session-maxAuthAgeMinutes"
            label={SESSION_POLICY_TEXT.maxAuthAgeLabel}
            hint={SESSION_POLICY_TEXT.maxAuthAgeHint}
            error={state.fieldErrors.maxAuthAgeMinutes}
          >
            <Input name="maxAuthAgeMinutes" inputMode="numeric" defaultValue={values.maxAuthAgeMinutes ?? ''} />
          </Field>
        ) : null}
      </fieldset>
      <Button type="submit" variant="secondary" pending={pending} pendingLabel="saving">
        {SESSION_POLICY_TEXT.save}
      </Button>
    </form>
  );
}
