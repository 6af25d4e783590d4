/**
 * The connection form's provisioning fields, as typed and as sent: just-in-time provisioning (on/off), the
 * group claim's name, group → scopes mappings (one `group: scope1 scope2` per line) and default scopes
 * (separated by spaces or commas). Pure parsing with zod/mini, shared by the client form and the server action
 * through ./oidc-connection; the limits are the contract's, so what passes here passes Grantex's own check.
 */
import * as z from 'zod/mini';
import { LIMITS } from '@/lib/contract/limits';

import { VERIFIED_DOMAINS_ONLY_SHOWN_FIELD } from './connection-fields';

export { PROVISIONING_FIELD_LABELS, type ProvisioningField } from './connection-fields';

/** What the connection carries, on the wire (a subset of the connections API's create and update bodies). */
export interface ProvisioningSettings {
  jitProvisioning?: boolean;
  groupAttribute?: string | null;
  groupMappings?: Record<string, string[]>;
  defaultScopes?: string[];
  verifiedDomainsOnly?: boolean;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * A scope: no spaces or commas (they separate scopes; a colon is fine, as in `calendar:read`). A group or claim
 * name: no colon either (it ends the group on a line). At most the contract's length.
 */
function badToken(token: string, what: string, { colon = false } = {}): string | null {
  if (/[\s,]/.test(token) || (!colon && token.includes(':'))) {
    return `${what} “${token}” may not contain spaces${colon ? '' : ', colons'} or commas`;
  }
  if (token.length > LIMITS.tokenMax) return `${what} must be at most ${LIMITS.tokenMax} characters`;
  return null;
}

/** Scopes separated by spaces or commas; duplicates dropped, order kept. */
export function parseScopes(text: string, what = 'Scope'): Parsed<string[]> {
  const scopes = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  for (const scope of scopes) {
    const why = badToken(scope, what, { colon: true });
    if (why) return { ok: false, message: why };
  }
  if (scopes.length > LIMITS.scopesMax) return { ok: false, message: `At most ${LIMITS.scopesMax} scopes` };
  return { ok: true, value: scopes };
}

/** One `group: scope1 scope2` per line (blank lines and lines starting with # ignored); a group may repeat. */
export function parseGroupMappings(text: string): Parsed<Record<string, string[]>> {
  const mappings: Record<string, string[]> = {};
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const where = `Line ${index + 1}`;
    const colon = line.indexOf(':');
    if (colon < 0) return { ok: false, message: `${where}: write it as “group: scope1 scope2”` };
    const group = line.slice(0, colon).trim();
    if (!group) return { ok: false, message: `${where}: the group name is missing before the colon` };
    const groupProblem = badToken(group, 'Group');
    if (groupProblem) return { ok: false, message: `${where}: ${groupProblem}` };
    const scopes = parseScopes(line.slice(colon + 1));
    if (!scopes.ok) return { ok: false, message: `${where}: ${scopes.message}` };
    if (scopes.value.length === 0) return { ok: false, message: `${where}: list at least one scope after “${group}:”` };
    const merged = [...new Set([...(mappings[group] ?? []), ...scopes.value])];
    if (merged.length > LIMITS.scopesMax)
      return { ok: false, message: `${where}: at most ${LIMITS.scopesMax} scopes per group` };
    mappings[group] = merged;
  }
  if (Object.keys(mappings).length > LIMITS.groupMappingsMax) {
    return { ok: false, message: `At most ${LIMITS.groupMappingsMax} groups` };
  }
  return { ok: true, value: mappings };
}

/** The mappings as the textarea shows them (the inverse of parseGroupMappings). */
export function formatGroupMappings(mappings: Record<string, string[]>): string {
  return Object.entries(mappings)
    .map(([group, scopes]) => `${group}: ${scopes.join(' ')}`)
    .join('\n');
}

/** A text field parsed by `parse`; a parse failure is the field's message (what was typed stays in the form). */
function parsedText<T>(parse: (text: string) => Parsed<T>) {
  return z.optional(
    z.pipe(
      z.string().check(
        z.superRefine((value, ctx) => {
          const result = parse(value);
          if (!result.ok) ctx.addIssue({ code: 'custom', message: result.message });
        }),
      ),
      z.transform((value) => {
        const result = parse(value);
        return result.ok ? result.value : undefined;
      }),
    ),
  );
}

/**
 * The provisioning fields of the connection form. All optional: a form (or test) that does not show them sends
 * nothing, and the connection keeps what it has (on create: the API's defaults).
 */
export const provisioningShape = {
  /** Two radios, `on` / `off`. */
  jitProvisioning: z.optional(z.enum(['on', 'off'], { error: 'Choose whether to provision members just in time' })),
  groupAttribute: parsedText((text) => {
    const name = text.trim();
    if (!name) return { ok: true, value: '' };
    const why = badToken(name, 'The claim name');
    return why ? { ok: false, message: why } : { ok: true, value: name };
  }),
  groupMappings: parsedText(parseGroupMappings),
  defaultScopes: parsedText((text) => parseScopes(text)),
  /** A checkbox: `on` when ticked, absent when not (read only with the marker below). */
  verifiedDomainsOnly: z.optional(z.string().check(z.maxLength(10))),
  [VERIFIED_DOMAINS_ONLY_SHOWN_FIELD]: z.optional(z.literal('1')),
};

/** The wire fields for the parsed form values; fields the form did not send are left out. */
export function provisioningSettings(values: {
  jitProvisioning?: 'on' | 'off';
  groupAttribute?: string;
  groupMappings?: Record<string, string[]>;
  defaultScopes?: string[];
  verifiedDomainsOnly?: string;
  verifiedDomainsOnlyShown?: '1';
}): ProvisioningSettings {
  return {
    ...(values.jitProvisioning ? { jitProvisioning: values.jitProvisioning === 'on' } : {}),
    ...(values.groupAttribute !== undefined ? { groupAttribute: values.groupAttribute || null } : {}),
    ...(values.groupMappings !== undefined ? { groupMappings: values.groupMappings } : {}),
    ...(values.defaultScopes !== undefined ? { defaultScopes: values.defaultScopes } : {}),
    // An unticked checkbox sends nothing: "off" only when the form says it showed the box.
    ...(values.verifiedDomainsOnlyShown === '1' ? { verifiedDomainsOnly: values.verifiedDomainsOnly === 'on' } : {}),
  };
}
