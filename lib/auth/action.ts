import 'server-only';
import { redirect, unstable_rethrow } from 'next/navigation';
import { safeParse, type $ZodError, type $ZodType, type input, type output } from 'zod/v4/core';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { grantexLogFields } from '@/lib/grantex/server';
import { SETUP_LINK_TEXT } from '@/lib/console/messages';
import type { FieldName, FormState, RefusalCode } from './form-state';
import { checkPermission, RoleRequiredError } from './authorize';
import { requireConnectionsActor, type ConnectionsActor } from './connections-actor';
import { decide, type PermissionName } from './permissions';
import { getAdmin, refuseNonAdmin, type Admin } from './session';

/**
 * The wrapper every console server action goes through (saas-starter's `validatedActionWithUser`,
 * minus its weak spots): authorize → parse ALL field errors → run → map errors to a message.
 */

export type { FormState, FieldName, RefusalCode } from './form-state';
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

/** The caller, or why the action refuses to run (a form error with its code; nothing is sent to Grantex). */
export type Authorization<A> = { actor: A } | { refused: { formError: string; code: RefusalCode } };

export function refusedByRole(error: RoleRequiredError): Authorization<never> {
  return { refused: { formError: error.message, code: error.code } };
}

const refusedSetupLink: Authorization<never> = {
  refused: { formError: SETUP_LINK_TEXT.not_allowed, code: 'SETUP_LINK_NOT_ALLOWED' },
};

/**
 * Authorizes an admin-only action named in lib/auth/permissions.ts: the signed-in admin when their console role
 * may call it. Signed-out callers go to /signin, a setup-link user to the page that says what their link allows.
 */
export async function authorizeAdmin(
  permission: PermissionName,
  deps: { getAdmin: () => Promise<Admin | null>; refuse?: () => Promise<never> } = {
    getAdmin,
    refuse: () => refuseNonAdmin(),
  },
): Promise<Authorization<Admin>> {
  const admin = (await deps.getAdmin()) ?? (await (deps.refuse ?? toSignin)());
  const decision = decide(permission, { kind: 'admin', role: admin.role });
  if (decision.ok) return { actor: admin };
  return decision.reason === 'role'
    ? refusedByRole(new RoleRequiredError(permission, decision.needed, admin.role))
    : toSignin();
}

/**
 * Authorizes an action on the organization's connections named in lib/auth/permissions.ts: an admin whose role
 * may call it, or a setup-link user when the table lets setup links call it.
 */
export async function authorizeConnections(
  permission: PermissionName,
  returnTo?: string,
): Promise<Authorization<ConnectionsActor>> {
  const check = await checkPermission(permission);
  if (!check.ok) {
    if (check.reason === 'role') return refusedByRole(check.error);
    if (check.reason === 'setup_link') return refusedSetupLink;
    return redirect(returnTo ? `/signin?callbackUrl=${encodeURIComponent(returnTo)}` : '/signin');
  }
  return { actor: await requireConnectionsActor(returnTo) };
}

/**
 * Wraps a server action for `useActionState(action, initialFormState())`, for admins whose console role the
 * permission table allows. Signed-out callers are redirected to /signin; a setup-link user to the page that says
 * what their link allows; a role that may not is answered with a ROLE_REQUIRED form error.
 */
export function adminAction<S extends $ZodType<Record<string, unknown>>>(
  permission: PermissionName,
  schema: S,
  handler: (input: output<S>, admin: Admin, formData: FormData) => Promise<ActionOutcome<input<S>> | void>,
  options: AdminActionOptions<input<S>> = {},
  /** Injection point for tests, which run outside a request (no cookies()). */
  deps: { getAdmin: () => Promise<Admin | null>; refuse?: () => Promise<never> } = {
    getAdmin,
    refuse: () => refuseNonAdmin(),
  },
): (prev: FormState<input<S>>, formData: FormData) => Promise<FormState<input<S>>> {
  return authorizedAction(schema, handler, options, () => authorizeAdmin(permission, deps));
}

/**
 * The same wrapper for the organization's connection (and domain) actions, which an admin and a setup-link user
 * may both run (see connections-actor.ts): the handler gets the actor and its Grantex client.
 */
export function connectionsAction<S extends $ZodType<Record<string, unknown>>>(
  permission: PermissionName,
  schema: S,
  handler: (input: output<S>, actor: ConnectionsActor, formData: FormData) => Promise<ActionOutcome<input<S>> | void>,
  options: AdminActionOptions<input<S>> = {},
): (prev: FormState<input<S>>, formData: FormData) => Promise<FormState<input<S>>> {
  return authorizedAction(schema, handler, options, () => authorizeConnections(permission));
}

/** authorize (redirects when refused) → parse ALL field errors → run → map errors to a message. */
function authorizedAction<S extends $ZodType<Record<string, unknown>>, A>(
  schema: S,
  handler: (input: output<S>, actor: A, formData: FormData) => Promise<ActionOutcome<input<S>> | void>,
  options: AdminActionOptions<input<S>>,
  authorize: () => Promise<Authorization<A>>,
): (prev: FormState<input<S>>, formData: FormData) => Promise<FormState<input<S>>> {
  type V = input<S>;
  const neverEcho = (options.neverEcho ?? []) as ReadonlyArray<string>;
  return async (_prev, formData) => {
    const authorization = await authorize();
    const raw = formDataToObject(formData);
    const values = echoValues<V>(raw, neverEcho);
    if ('refused' in authorization) return { ok: false, fieldErrors: {}, values, ...authorization.refused };
    const admin = authorization.actor;
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
