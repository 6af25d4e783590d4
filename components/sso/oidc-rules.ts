import type { OidcConnectionField } from '@/lib/validations/oidc-connection-fields';
import type { OidcConnectionSchemaOptions } from '@/lib/validations/oidc-connection';

// The OIDC form's rules (the shared zod/mini schema and the URL rules, ~20 KB gzip with zod and ipaddr.js) are not
// needed to show the form, only to check it: `loadOidcRules` imports them on the admin's first focus (at the latest
// on blur or submit), outside the page's first load; `loadedOidcRules` is null until then, and when the import
// fails the server still checks every submission.

export type OidcFormField = OidcConnectionField | 'name';

export interface OidcRules {
  /** One field's first problem (on blur), by the same rule as the whole schema. */
  validateField(field: OidcFormField, value: string): string | null;
  /** Every field's first problem, or null when the submission passes. */
  fieldErrors(data: Record<string, unknown>): Partial<Record<string, string>> | null;
}

type Module = typeof import('@/lib/validations/oidc-connection');
let loaded: Module | null = null;
let loading: Promise<Module> | null = null;

function rulesOf(mod: Module, options: OidcConnectionSchemaOptions): OidcRules {
  const schema = mod.buildOidcConnectionSchema(options);
  return {
    validateField: (field, value) => mod.validateOidcField(schema, field, value),
    fieldErrors: (data) => {
      const result = schema.safeParse(data);
      return result.success ? null : mod.fieldErrorsOf(result.error);
    },
  };
}

export function loadedOidcRules(options: OidcConnectionSchemaOptions): OidcRules | null {
  return loaded ? rulesOf(loaded, options) : null;
}

export function loadOidcRules(options: OidcConnectionSchemaOptions): Promise<OidcRules> {
  loading ??= import('@/lib/validations/oidc-connection').then(
    (mod) => (loaded = mod),
    (err: unknown) => {
      loading = null; // a failed fetch may be retried on the next interaction
      throw err;
    },
  );
  return loading.then((mod) => rulesOf(mod, options));
}
