/**
 * Group → scope mapping. Groups come from the connection's `groupAttribute` claim, as a string or an array of
 * strings (anything else, or a missing claim, is no groups); a member's scopes are the connection's default
 * scopes followed by the mappings of their groups, each scope once, in that order.
 */
import { LIMITS } from '@/lib/contract';
import type { ProvisioningSettings } from '../../storage/types';

/**
 * At most this many groups are kept per member (IdPs that send hundreds, e.g. Entra ID, cap theirs at 200
 * in a token and point elsewhere beyond that: such an "overage" is not followed).
 */
export const GROUPS_MAX = 200;

/** The member's groups from a claim value: trimmed, non-empty, at most LIMITS.tokenMax long, each once, in order. */
export function readGroups(value: unknown): string[] {
  const raw: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  const groups = new Set<string>();
  for (const item of raw) {
    if (groups.size >= GROUPS_MAX) break;
    if (typeof item !== 'string') continue;
    const group = item.trim();
    if (group !== '' && group.length <= LIMITS.tokenMax) groups.add(group);
  }
  return [...groups];
}

/** defaultScopes ∪ the mappings of `groups` (in group order), deduplicated, stable order. */
export function mapScopes(provisioning: ProvisioningSettings, groups: readonly string[]): string[] {
  const scopes = new Set(provisioning.defaultScopes);
  for (const group of groups) {
    // Own keys only: a group named like an Object.prototype member maps to nothing.
    const mapped = Object.hasOwn(provisioning.groupMappings, group) ? provisioning.groupMappings[group] : undefined;
    for (const scope of mapped ?? []) scopes.add(scope);
  }
  return [...scopes];
}
