import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  formatGroupMappings,
  parseGroupMappings,
  parseScopes,
  provisioningSettings,
  provisioningShape,
} from '@/lib/validations/provisioning';

const schema = z.object(provisioningShape);

describe('connection form: provisioning fields', () => {
  it('parses one `group: scopes` per line, merging a repeated group and skipping blanks and comments', () => {
    // Only the first colon ends the group: scopes may contain colons (calendar:read).
    const text =
      'engineering: repo:read deploy\n\n# admins get everything\nadmins: admin, repo:read\nengineering: deploy ci\n';
    expect(parseGroupMappings(text)).toEqual({
      ok: true,
      value: { engineering: ['repo:read', 'deploy', 'ci'], admins: ['admin', 'repo:read'] },
    });
  });

  it('says which line is wrong and why', () => {
    expect(parseGroupMappings('admins admin')).toEqual({
      ok: false,
      message: 'Line 1: write it as “group: scope1 scope2”',
    });
    expect(parseGroupMappings('ok: a\n : b')).toEqual({
      ok: false,
      message: 'Line 2: the group name is missing before the colon',
    });
    expect(parseGroupMappings('admins:')).toEqual({
      ok: false,
      message: 'Line 1: list at least one scope after “admins:”',
    });
    expect(parseGroupMappings('my group: a')).toMatchObject({
      ok: false,
      message: expect.stringContaining('may not contain spaces'),
    });
    expect(parseScopes('a:b c')).toEqual({ ok: true, value: ['a:b', 'c'] });
    expect(parseGroupMappings(`g: ${'x'.repeat(257)}`)).toMatchObject({
      ok: false,
      message: expect.stringContaining('at most 256'),
    });
  });

  it('limits scopes and groups to the contract’s numbers', () => {
    const many = Array.from({ length: 51 }, (_, i) => `s${i}`).join(' ');
    expect(parseScopes(many)).toEqual({ ok: false, message: 'At most 50 scopes' });
    const groups = Array.from({ length: 201 }, (_, i) => `g${i}: a`).join('\n');
    expect(parseGroupMappings(groups)).toEqual({ ok: false, message: 'At most 200 groups' });
  });

  it('formats mappings back into the text it parses', () => {
    const mappings = { engineering: ['repo.read', 'deploy'], admins: ['admin'] };
    expect(parseGroupMappings(formatGroupMappings(mappings))).toEqual({ ok: true, value: mappings });
  });

  it('default scopes: spaces or commas, duplicates dropped', () => {
    expect(parseScopes(' openid, profile  email profile ')).toEqual({
      ok: true,
      value: ['openid', 'profile', 'email'],
    });
    expect(parseScopes('')).toEqual({ ok: true, value: [] });
  });

  it('the schema turns the typed fields into the wire fields, and leaves out what the form did not send', () => {
    const parsed = schema.parse({
      jitProvisioning: 'off',
      groupAttribute: ' groups ',
      groupMappings: 'admins: admin',
      defaultScopes: 'read',
    });
    expect(provisioningSettings(parsed)).toEqual({
      jitProvisioning: false,
      groupAttribute: 'groups',
      groupMappings: { admins: ['admin'] },
      defaultScopes: ['read'],
    });
    expect(provisioningSettings(schema.parse({ groupAttribute: '' }))).toEqual({ groupAttribute: null });
    expect(provisioningSettings(schema.parse({}))).toEqual({});
  });

  it('a bad line is the field’s error message', () => {
    const result = schema.safeParse({ groupMappings: 'ok: a\nbroken' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['groupMappings'],
      message: 'Line 2: write it as “group: scope1 scope2”',
    });
    expect(schema.safeParse({ jitProvisioning: 'maybe' }).success).toBe(false);
  });
});
