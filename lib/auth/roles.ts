/**
 * The console's roles and how an admin got into the console. Browser-safe (no server-only imports): pages and
 * client components use the labels and ranks to disable what a role cannot do; the checks that matter are in
 * lib/auth/authorize.ts.
 */
export const CONSOLE_ROLES = ['owner', 'admin', 'viewer'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];
export const CONSOLE_VIAS = ['api_key', 'sso', 'break_glass'] as const;
export type ConsoleVia = (typeof CONSOLE_VIAS)[number];

const RANK: Record<ConsoleRole, number> = { owner: 3, admin: 2, viewer: 1 };

/** True when `role` is `needed` or ranks above it (owner > admin > viewer). */
export function roleAtLeast(role: ConsoleRole, needed: ConsoleRole): boolean {
  return RANK[role] >= RANK[needed];
}

/** The lowest-ranked role of a list: the one an error names as "needed". */
export function weakestRole(roles: readonly ConsoleRole[]): ConsoleRole {
  return [...roles].sort((a, b) => RANK[a] - RANK[b])[0] ?? 'owner';
}
