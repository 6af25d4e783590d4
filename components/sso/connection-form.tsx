'use client';
/**
 * The shell both connection forms are built in (OIDC: ./oidc-connection-form, SAML: ./saml-connection-form); each
 * protocol brings only its field set. The shell owns what a connection form does around its fields:
 *
 * - the server action's typed result `{ ok, message, fieldErrors, formError, values }` (lib/auth/form-state), with
 *   its pending state on the submit button;
 * - what the user typed is kept after an error (the action echoes `values`), except the write-only secret (client
 *   secret, IdP certificate): the action never echoes it, and the field sets never give it a value, so it reaches
 *   neither the form nor the RSC payload;
 * - re-keying: every answer remounts the fields (`useConnectionForm().key`), the one way both forms do it;
 * - "saved" (role=status) after a save or on arrival after a create, focused and brought into view, and gone as
 *   soon as the admin does anything else; the form-level error (role=alert); focus on the first invalid field.
 *
 * Without JavaScript the form posts to the server action like any form (the action is passed to `<form action>`
 * as it is, never wrapped in a client function), and the page comes back with the same answer.
 */
import {
  useActionState,
  useEffect,
  useRef,
  useState,
  type FocusEvent,
  type FormEvent,
  type PointerEvent,
  type ReactNode,
  type RefObject,
} from 'react';
import { Alert, Button } from '@/components/ui';
import type { FormState } from '@/lib/auth/form-state';
import { CONNECTION_ID_FIELD, type ConnectionStatusValue } from '@/lib/validations/connection-fields';

export type ConnectionFormAction<V> = (prev: FormState<V>, formData: FormData) => Promise<FormState<V>>;

/** What a "new connection" form starts with. */
export interface NewConnectionDefaults {
  name: string;
  status: ConnectionStatusValue;
  /** Why the status starts where it does. */
  statusHint: string;
}

export interface ConnectionForm<V> {
  state: FormState<V>;
  formAction: (formData: FormData) => void;
  pending: boolean;
  /** Changes with every answer of the action: the key of the component that holds the fields. */
  key: number;
}

/**
 * A connection form's state. `justSaved`: the page was opened by a create's redirect (`?saved=1`), so the form
 * starts "saved"; the query that asked for it is dropped at once, so a reload does not say it again.
 */
export function useConnectionForm<V>(
  action: ConnectionFormAction<V>,
  initial: FormState<V>,
  { justSaved = false } = {},
): ConnectionForm<V> {
  const [state, formAction, pending] = useActionState<FormState<V>, FormData>(action, initial);
  // Each answer remounts the fields so they show what the server echoed: React resets a form after an action, and
  // the remount makes that reset land on the echoed values (the secret, never echoed, comes back empty). The key
  // follows the answer object, derived while rendering (React's pattern for state that tracks a changing value).
  const [answered, setAnswered] = useState({ state, key: 0 });
  if (answered.state !== state) setAnswered({ state, key: answered.key + 1 });

  useEffect(() => {
    if (!justSaved) return;
    const url = new URL(window.location.href);
    url.searchParams.delete('saved');
    url.searchParams.delete('trimmed');
    window.history.replaceState(window.history.state, '', url);
  }, [justSaved]);

  return { state, formAction, pending, key: answered.key };
}

const SAVED_STATUS_ID = 'connection-saved';

export interface ConnectionFormShellProps<V> {
  /** From useConnectionForm; the component rendering the shell is keyed with `form.key`. */
  form: ConnectionForm<V>;
  /** The saved connection this form edits (a hidden field names it to the action); null on "new". */
  connectionId: string | null;
  /** The form-level error to show instead of the action's (the OIDC form's own check of a refused submission). */
  formError?: string;
  formRef?: RefObject<HTMLFormElement | null>;
  onSubmit?: (event: FormEvent<HTMLFormElement>) => void;
  onFocus?: (event: FocusEvent<HTMLFormElement>) => void;
  onSubmitPointerDown?: (event: PointerEvent<HTMLButtonElement>) => void;
  children: ReactNode;
}

export function ConnectionFormShell<V>({
  form,
  connectionId,
  formError,
  formRef,
  onSubmit,
  onFocus,
  onSubmitPointerDown,
  children,
}: ConnectionFormShellProps<V>) {
  const { state, formAction, pending } = form;
  const ownRef = useRef<HTMLFormElement>(null);
  const ref = formRef ?? ownRef;
  // "Saved" belongs to the answer that produced it (the fields remount per answer). It goes away as soon as the
  // admin does anything else: edits a field, submits again (even when the browser refuses the submission before
  // it reaches the server), runs a test sign-in or opens the delete dialog.
  const [savedVisible, setSavedVisible] = useState(Boolean(state.ok && state.message));
  const showSaved = savedVisible && Boolean(state.ok && state.message && connectionId);
  const error = formError ?? (!state.ok ? state.formError : undefined);

  // After a refused submission, put the keyboard where the first problem is.
  useEffect(() => {
    if (state.ok || Object.keys(state.fieldErrors).length === 0) return;
    ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [state, ref]);

  // After a save, bring the outcome into view and put the keyboard there (instead of on <body>): the status is read
  // out, and centring it also shows the "Current configuration" card with Test sign-in just above it, which on a
  // phone is otherwise off-screen.
  useEffect(() => {
    if (!state.ok) return;
    const saved = document.getElementById(SAVED_STATUS_ID);
    if (!saved) return;
    saved.focus({ preventScroll: true });
    saved.scrollIntoView({ block: 'center' });
  }, [state]);

  useEffect(() => {
    if (!showSaved) return;
    const own = ref.current;
    const supersede = (event: Event) => {
      const target = event.target;
      if (!(target instanceof Element)) return;
      const otherAction =
        event.type === 'submit' ? target !== own : target.closest('[aria-haspopup="dialog"]') !== null;
      if (otherAction) setSavedVisible(false);
    };
    document.addEventListener('submit', supersede, true);
    document.addEventListener('click', supersede, true);
    return () => {
      document.removeEventListener('submit', supersede, true);
      document.removeEventListener('click', supersede, true);
    };
  }, [showSaved, ref]);

  return (
    <form
      ref={ref}
      action={formAction}
      onSubmit={(event) => {
        setSavedVisible(false);
        onSubmit?.(event);
      }}
      onChange={() => setSavedVisible(false)}
      onFocus={onFocus}
      noValidate
      className="space-y-5"
    >
      {connectionId ? <input type="hidden" name={CONNECTION_ID_FIELD} value={connectionId} /> : null}
      {/* Only a saved connection's form says "saved" (after a create, the connection's own page does). */}
      {showSaved ? (
        <Alert tone="success" id={SAVED_STATUS_ID} tabIndex={-1} className="scroll-mt-4 focus:outline-none">
          {state.message}.{' '}
          <a href="#sso-test" className="font-medium underline">
            Run a test sign-in
          </a>{' '}
          to check it.
        </Alert>
      ) : null}
      {error ? <Alert tone="error">{error}</Alert> : null}

      {children}

      <Button type="submit" pending={pending} pendingLabel="saving" onPointerDown={onSubmitPointerDown}>
        {connectionId ? 'Save connection' : 'Create connection'}
      </Button>
    </form>
  );
}
