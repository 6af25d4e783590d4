/**
 * The result shape of every console server action. Deliberately NOT server-only: client forms
 * import `initialFormState` for `useActionState`. Import it from here, not from `@/lib/auth`.
 */

export type FieldName<V> = Extract<keyof V, string>;

/** Why an action was refused before it ran (its `formError` says what to do). */
export type RefusalCode = 'ROLE_REQUIRED' | 'SETUP_LINK_NOT_ALLOWED';

/** What a form receives from `useActionState`. */
export interface FormState<V> {
  ok: boolean;
  /** Success text for a role="status" alert. */
  message?: string;
  /** First error per field (what the field shows); every failing field is present. */
  fieldErrors: Partial<Record<FieldName<V>, string>>;
  /** Form-level error for a role="alert" alert. */
  formError?: string;
  /** Set when the caller may not run this action at all (e.g. its console role is too low). */
  code?: RefusalCode;
  /** Submitted values to refill the form after a failure; secret-looking fields are never included. */
  values: Partial<Record<FieldName<V>, string>>;
  /** Per-field notes that are not errors (e.g. "what you pasted was trimmed"), shown with the field. */
  notes?: Partial<Record<FieldName<V>, string>>;
  /** Per-field values the server proposes as the fix for that field's error, for the form to offer in one click. */
  suggestions?: Partial<Record<FieldName<V>, string>>;
}

export function initialFormState<V>(values: Partial<Record<FieldName<V>, string>> = {}): FormState<V> {
  return { ok: false, fieldErrors: {}, values };
}
