import { describe, expect, it } from 'vitest';
import { GROUPS_MAX, mapScopes, readGroups } from '@/lib/sso-service/features/login/provisioning';
import { NO_PROVISIONING } from '@/lib/sso-service/storage/types';

describe('readGroups', () => {
  it('reads a string or an array of strings, trimmed, each once, in order', () => {
    expect(readGroups('admins')).toEqual(['admins']);
    expect(readGroups([' eng ', 'admins', 'eng', '', 7, null, { a: 1 }])).toEqual(['eng', 'admins']);
  });

  it('is empty for a missing claim or another shape', () => {
    for (const value of [undefined, null, 42, true, { admins: true }]) expect(readGroups(value)).toEqual([]);
  });

  it('drops over-long group names and keeps at most GROUPS_MAX groups', () => {
    expect(readGroups(['x'.repeat(257), 'ok'])).toEqual(['ok']);
    const many = Array.from({ length: GROUPS_MAX + 50 }, (_, i) => `g${i}`);
    expect(readGroups(many)).toEqual(many.slice(0, GROUPS_MAX));
  });
});

describe('mapScopes', () => {
  const provisioning = {
    ...NO_PROVISIONING,
    defaultScopes: ['read', 'profile'],
    groupMappings: { admins: ['admin:all', 'read'], eng: ['deploy', 'profile'] },
  };

  it("is the default scopes followed by each group's mappings, each scope once", () => {
    expect(mapScopes(provisioning, ['eng', 'admins'])).toEqual(['read', 'profile', 'deploy', 'admin:all']);
    expect(mapScopes(provisioning, [])).toEqual(['read', 'profile']);
  });

  it('maps only own keys (a group named like an Object member maps to nothing)', () => {
    expect(mapScopes(provisioning, ['constructor', 'toString', '__proto__'])).toEqual(['read', 'profile']);
  });
});
