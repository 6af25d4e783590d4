/**
 * The console's roles and how an admin got into the console (the contract's, lib/contract/console-roles.ts).
 * Browser-safe and zod-free (only the contract's types are imported): pages and client components use them to
 * disable what a role cannot do; the checks that matter are in lib/auth/authorize.ts.
 */
import type { ConsoleRole, ConsoleVia } from '@/lib/contract/console-roles';

export type { ConsoleRole, ConsoleVia };
export const CONSOLE_ROLES = ['owner', 'admin', 'viewer'] as const satisfies readonly ConsoleRole[];
export const CONSOLE_VIAS = ['api_key', 'sso', 'break_glass'] as const satisfies readonly ConsoleVia[];

const RANK: Record<ConsoleRole, number> = { owner: 3, admin: 2, viewer: 1 };

/** True when `role` is `needed` or ranks above it (owner > admin > viewer). */
export function roleAtLeast(role: ConsoleRole, needed: ConsoleRole): boolean {
  return RANK[role] >= RANK[needed];
}

/** The lowest-ranked role of a list: the one an error names as "needed". */
export function weakestRole(roles: readonly ConsoleRole[]): ConsoleRole {
  return [...roles].sort((a, b) => RANK[a] - RANK[b])[0] ?? 'owner';
}
