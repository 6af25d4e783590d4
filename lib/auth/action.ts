import 'server-only';
import { redirect, unstable_rethrow } from 'next/navigation';
import { safeParse, type $ZodError, type $ZodType, type input, type output } from 'zod/v4/core';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { grantexLogFields } from '@/lib/grantex/server';
import type { FieldName, FormState } from './form-state';
import { requireConnectionsActor, type ConnectionsActor } from './connections-actor';
import { getAdmin, refuseNonAdmin, type Admin } from './session';

/**
 * The wrapper every console server action goes through (saas-starter's `validatedActionWithUser`,
 * minus its weak spots): authorize → parse ALL field errors → run → map errors to a message.
 */

export type { FormState, FieldName } from './form-state';
export { initialFormState } from './form-state';

/** What a handler may return; throwing a GrantexError is also fine (it becomes `formError`). */
export interface ActionOutcome<V> {
  ok?: boolean;
  message?: string;
  fieldErrors?: Partial<Record<FieldName<V>, string>>;
  formError?: string;
  /** Override the echoed values (e.g. clear the form after a successful save). */
  values?: Partial<Record<FieldName<V>, string>>;
  notes?: FormState<V>['notes'];
  suggestions?: FormState<V>['suggestions'];
}

export interface AdminActionOptions<V> {
  /** Fields never echoed back in `values` (in addition to the name-based rule below). */
  neverEcho?: ReadonlyArray<FieldName<V>>;
}

/** Names that look like credentials are never echoed, even if a caller forgets to list them. */
const SECRET_NAME = /secret|password|passwd|token|api[-_]?key|credential|private/i;

/** Next.js adds `$ACTION_…` entries to action FormData; they are not user fields. */
function formDataToObject(formData: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith('$ACTION')) continue;
    if (typeof value === 'string' && !(key in out)) out[key] = value;
  }
  return out;
}

function echoValues<V>(
  raw: Record<string, string>,
  neverEcho: ReadonlyArray<string>,
): Partial<Record<FieldName<V>, string>> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (neverEcho.includes(key) || SECRET_NAME.test(key)) continue;
    values[key] = value;
  }
  return values as Partial<Record<FieldName<V>, string>>;
}

/** Every zod issue grouped by its top-level field; the first message per field wins for display. */
export function collectFieldErrors<V>(error: $ZodError): {
  fieldErrors: Partial<Record<FieldName<V>, string>>;
  formError?: string;
} {
  const fieldErrors: Record<string, string> = {};
  let formError: string | undefined;
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (typeof field === 'string') {
      fieldErrors[field] ??= issue.message;
    } else {
      formError ??= issue.message;
    }
  }
  return { fieldErrors: fieldErrors as Partial<Record<FieldName<V>, string>>, formError };
}

/** Signed-out callers go to /signin (the session may have expired while the page was open). */
const toSignin = async (): Promise<never> => redirect('/signin');

/**
 * Wraps a server action for `useActionState(action, initialFormState())`, for the API-key admin only.
 * Signed-out callers are redirected to /signin; a setup-link user to the page that says what their link allows.
 */
export function adminAction<S extends $ZodType<Record<string, unknown>>>(
  schema: S,
  handler: (input: output<S>, admin: Admin, formData: FormData) => Promise<ActionOutcome<input<S>> | void>,
  options: AdminActionOptions<input<S>> = {},
  /** Injection point for tests, which run outside a request (no cookies()). */
  deps: { getAdmin: () => Promise<Admin | null>; refuse?: () => Promise<never> } = {
    getAdmin,
    refuse: () => refuseNonAdmin(),
  },
): (prev: FormState<input<S>>, formData: FormData) => Promise<FormState<input<S>>> {
  return authorizedAction(schema, handler, options, async () => (await deps.getAdmin()) ?? (deps.refuse ?? toSignin)());
}

/**
 * The same wrapper for the organization's connection (and domain) actions, which the API-key admin and a
 * setup-link user may both run (see connections-actor.ts): the handler gets the actor and its Grantex client.
 */
export function connectionsAction<S extends $ZodType<Record<string, unknown>>>(
  schema: S,
  handler: (input: output<S>, actor: ConnectionsActor, formData: FormData) => Promise<ActionOutcome<input<S>> | void>,
  options: AdminActionOptions<input<S>> = {},
): (prev: FormState<input<S>>, formData: FormData) => Promise<FormState<input<S>>> {
  return authorizedAction(schema, handler, options, () => requireConnectionsActor());
}

/** authorize (redirects when refused) → parse ALL field errors → run → map errors to a message. */
function authorizedAction<S extends $ZodType<Record<string, unknown>>, A>(
  schema: S,
  handler: (input: output<S>, actor: A, formData: FormData) => Promise<ActionOutcome<input<S>> | void>,
  options: AdminActionOptions<input<S>>,
  authorize: () => Promise<A>,
): (prev: FormState<input<S>>, formData: FormData) => Promise<FormState<input<S>>> {
  type V = input<S>;
  const neverEcho = (options.neverEcho ?? []) as ReadonlyArray<string>;
  return async (_prev, formData) => {
    const admin = await authorize();
    const raw = formDataToObject(formData);
    const values = echoValues<V>(raw, neverEcho);
    // Any zod schema, classic or zod/mini (the SSO form's shared schema is mini, see lib/validations).
    const parsed = safeParse(schema, raw);
    if (!parsed.success) {
      const { fieldErrors, formError } = collectFieldErrors<V>(parsed.error);
      return {
        ok: false,
        fieldErrors,
        formError: formError ?? 'Some fields need your attention.',
        values,
      };
    }
    try {
      const outcome = (await handler(parsed.data, admin, formData)) ?? {};
      const fieldErrors = outcome.fieldErrors ?? {};
      const hasFieldErrors = Object.keys(fieldErrors).length > 0;
      const ok = outcome.ok ?? (!outcome.formError && !hasFieldErrors);
      return {
        ok,
        message: outcome.message,
        fieldErrors,
        formError: outcome.formError ?? (hasFieldErrors ? 'Some fields need your attention.' : undefined),
        values: outcome.values ? echoValues<V>(outcome.values as Record<string, string>, neverEcho) : values,
        ...(outcome.notes ? { notes: outcome.notes } : {}),
        ...(outcome.suggestions ? { suggestions: outcome.suggestions } : {}),
      };
    } catch (err) {
      // redirect()/notFound() inside a handler are control flow, not failures.
      unstable_rethrow(err);
      console.error('[action] failed', grantexLogFields(err));
      return { ok: false, fieldErrors: {}, formError: describeGrantexError(err), values };
    }
  };
}
