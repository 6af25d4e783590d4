/**
 * Console roles: the base vocabulary of console access (roles, how a console session was opened, the
 * group → role mapping of a connection, the console grant a console sign-in answers). Kept free of the rest of the
 * contract so ./wire and ./sessions can import it without a cycle; ./console-access builds the endpoints on it.
 */
import { z } from 'zod';
import { LIMITS } from './limits';

/** The console's roles, highest first. */
export const CONSOLE_ROLES = ['owner', 'admin', 'viewer'] as const;
export const consoleRoleSchema = z.enum(CONSOLE_ROLES);
export type ConsoleRole = z.infer<typeof consoleRoleSchema>;

/** owner > admin > viewer. */
export const CONSOLE_ROLE_RANK: Readonly<Record<ConsoleRole, number>> = { owner: 3, admin: 2, viewer: 1 };

/** Whether `role` is `needed` or a higher role. */
export function roleAtLeast(role: ConsoleRole, needed: ConsoleRole): boolean {
  return CONSOLE_ROLE_RANK[role] >= CONSOLE_ROLE_RANK[needed];
}

/** The highest of some roles (null for none). */
export function highestRole(roles: Iterable<ConsoleRole>): ConsoleRole | null {
  let best: ConsoleRole | null = null;
  for (const role of roles) if (best === null || CONSOLE_ROLE_RANK[role] > CONSOLE_ROLE_RANK[best]) best = role;
  return best;
}

/** How the console's caller got in: the org's API key, an SSO console sign-in, or a break-glass credential. */
export const CONSOLE_VIAS = ['api_key', 'sso', 'break_glass'] as const;
export const consoleViaSchema = z.enum(CONSOLE_VIAS);
export type ConsoleVia = z.infer<typeof consoleViaSchema>;

/** What a login is for: a member's sign-in (the default) or an admin's console sign-in. */
export const LOGIN_INTENTS = ['member', 'console'] as const;
export const loginIntentSchema = z.enum(LOGIN_INTENTS);
export type LoginIntent = z.infer<typeof loginIntentSchema>;

/** Console access limits. */
export const CONSOLE_ACCESS_LIMITS = {
  /** Group → role entries per connection. */
  roleMappingsMax: 50,
  /** A console session through SSO lasts at most this long (and never beyond the member's SSO session). */
  ssoSessionMaxSeconds: 8 * 3600,
  /** A break-glass console session lasts this long. */
  breakGlassSessionSeconds: 3600,
  /** Enforcement can be switched on only within this long of an owner's SSO console sign-in. */
  enforcementOwnerSignInWithinSeconds: 3600,
  /** Break-glass credentials per org. */
  breakGlassPerOrgMax: 10,
  breakGlassLabelMax: 100,
  /** Break-glass sign-in attempts per client address per window. */
  breakGlassAttemptsPerWindow: 5,
  breakGlassWindowSeconds: 60,
} as const;

/** Console session tokens (`gxc_` + 32 random bytes base64url) and break-glass credentials (`gxbg_…`). */
export const CONSOLE_TOKEN_PREFIX = 'gxc_';
export const BREAK_GLASS_CREDENTIAL_PREFIX = 'gxbg_';

/** A group name as groupMappings' keys are: trimmed, 1–256 characters. */
const groupNameSchema = z.string().trim().min(1).max(LIMITS.tokenMax);

/**
 * A connection's `consoleRoleMappings`: IdP group → console role, at most 50 groups. Empty (the default): nobody
 * gets a console role through that connection.
 */
export const consoleRoleMappingsSchema = z
  .record(groupNameSchema, consoleRoleSchema)
  .refine(
    (m) => Object.keys(m).length <= CONSOLE_ACCESS_LIMITS.roleMappingsMax,
    `must have at most ${CONSOLE_ACCESS_LIMITS.roleMappingsMax} groups`,
  );
export type ConsoleRoleMappings = z.infer<typeof consoleRoleMappingsSchema>;

/** The console role a member's groups map to through a connection's mappings: the highest one wins; null for none. */
export function consoleRoleFor(
  groups: readonly string[],
  mappings: Readonly<Record<string, ConsoleRole>>,
): ConsoleRole | null {
  const roles: ConsoleRole[] = [];
  for (const group of groups) {
    if (Object.prototype.hasOwnProperty.call(mappings, group)) roles.push(mappings[group]!);
  }
  return highestRole(roles);
}

/**
 * A console session handed to the console server: the bearer token (`gxc_…`, shown once, only in this body),
 * the role and when it ends.
 */
export const consoleGrantSchema = z.object({
  token: z.string().startsWith(CONSOLE_TOKEN_PREFIX),
  role: consoleRoleSchema,
  expiresAt: z.iso.datetime({ precision: 3 }),
});
export type ConsoleGrant = z.infer<typeof consoleGrantSchema>;
