/**
 * Console access on the console side: what the admin session cookie may claim, the setup link's unchanged scope,
 * the console-roles form, the disabled controls and the audit trail's person.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';

const jar = vi.hoisted(() => ({ cookie: null as null | { name: string; value: string } }));
vi.mock('next/headers', () => ({
  cookies: async () => ({
    get: (name: string) => (jar.cookie?.name === name ? jar.cookie : undefined),
    getAll: () => (jar.cookie ? [jar.cookie] : []),
  }),
}));
process.env.NEXTAUTH_SECRET = 'console-access-test-secret-'.padEnd(48, 'x');
// Nothing listens here: a console session's current role cannot be asked, the cookie's stands.
process.env.GRANTEX_URL = 'http://127.0.0.1:9';

const gxc = `gxc_${'a'.repeat(43)}`;
const apiKey = `gx_test_${'k'.repeat(43)}`;
const base = { role: 'admin', developerId: 'dev_1', name: 'Acme', email: null };

describe('the admin session cookie', () => {
  it('reads a cookie from before console roles as the API-key owner', async () => {
    const { adminTokenSchema } = await import('@/lib/auth/options');
    expect(adminTokenSchema.parse({ ...base, apiKey })).toMatchObject({ consoleRole: 'owner', via: 'api_key' });
  });

  it('never takes a console token for an API key, nor an API key for anything but the owner', async () => {
    const { adminTokenSchema } = await import('@/lib/auth/options');
    expect(adminTokenSchema.safeParse({ ...base, apiKey: gxc }).success).toBe(false);
    expect(adminTokenSchema.safeParse({ ...base, apiKey, consoleRole: 'viewer' }).success).toBe(false);
    expect(adminTokenSchema.safeParse({ ...base, apiKey, via: 'sso', consoleRole: 'owner' }).success).toBe(false);
    expect(adminTokenSchema.parse({ ...base, apiKey: gxc, via: 'sso', consoleRole: 'viewer' }).consoleRole).toBe(
      'viewer',
    );
  });

  it('a console sign-in cookie carries the role and ends with the console session', async () => {
    const { consoleSessionCookie } = await import('@/lib/auth/console-session');
    const { getAdmin } = await import('@/lib/auth/session');
    const soon = new Date(Date.now() + 30 * 60_000).toISOString();
    const cookie = await consoleSessionCookie(
      { token: gxc, role: 'viewer', expiresAt: soon },
      { developerId: 'dev_1', organizationName: 'Acme', person: 'bob@example.com', via: 'sso' },
    );
    expect(cookie.name).toBe('next-auth.session-token');
    expect(cookie.options).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/' });
    expect(cookie.options.maxAge).toBeLessThanOrEqual(30 * 60);
    expect(cookie.value).not.toContain(gxc);
    jar.cookie = { name: cookie.name, value: cookie.value };
    expect(await getAdmin()).toMatchObject({ role: 'viewer', via: 'sso', person: 'bob@example.com', apiKey: gxc });

    // next-auth may extend its cookie; the console session's own end still counts.
    const { encode } = await import('next-auth/jwt');
    const past = new Date(Date.now() - 1000).toISOString();
    jar.cookie = {
      name: cookie.name,
      value: await encode({
        token: { ...base, apiKey: gxc, via: 'sso', consoleRole: 'owner', person: 'a', expiresAt: past },
        secret: process.env.NEXTAUTH_SECRET!,
      }),
    };
    expect(await getAdmin()).toBeNull();
    jar.cookie = null;
  });
});

describe('permission table', () => {
  it('keeps the setup link to the connections, their domains and the directory (its scope before console roles)', async () => {
    const { PERMISSIONS, decide } = await import('@/lib/auth/permissions');
    const allowed = Object.keys(PERMISSIONS)
      .filter((name) => PERMISSIONS[name as keyof typeof PERMISSIONS].roles !== 'public')
      .filter((name) => decide(name as keyof typeof PERMISSIONS, { kind: 'setup_link' }).ok)
      .sort();
    expect(allowed).toEqual(
      [
        'GET /api/sso/test-result',
        'GET /settings/sso/[connectionId]/saml-metadata',
        'addConnectionDomain',
        'addSamlCertificate',
        'createOidcConnection',
        'createSamlConnection',
        'createScimToken',
        'moveToOwnRedirectUri',
        'promoteSpKey',
        'refreshSamlMetadata',
        'removeConnectionDomain',
        'removeSamlCertificate',
        'retireSpKey',
        'revokeScimToken',
        'rotateSpKey',
        'saveAttributeMapping',
        'saveSessionPolicy',
        'setConnectionStatus',
        'setDirectoryUsersOnly',
        'setIdpSloUrl',
        'setSignAuthnRequests',
        'startTestSignIn',
        'updateOidcConnection',
        'updateSamlConnection',
        'useConsoleSamlAcs',
        'verifyConnectionDomain',
      ].sort(),
    );
  });

  it('a viewer may change nothing; only the owner grants roles, requires SSO or holds break-glass credentials', async () => {
    const { PERMISSIONS, decide } = await import('@/lib/auth/permissions');
    const names = Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[];
    const viewerMay = names.filter(
      (n) => PERMISSIONS[n].roles !== 'public' && decide(n, { kind: 'admin', role: 'viewer' }).ok,
    );
    expect(viewerMay.sort()).toEqual([
      'GET /settings/sso/[connectionId]/saml-metadata',
      'GET /settings/sso/activity/export',
    ]);
    for (const n of [
      'saveConsoleRoles',
      'setEnforcement',
      'createBreakGlassCredential',
      'deleteBreakGlassCredential',
      'deleteConnection',
    ] as const) {
      expect(decide(n, { kind: 'admin', role: 'admin' })).toEqual({ ok: false, reason: 'role', needed: 'owner' });
      expect(decide(n, { kind: 'admin', role: 'owner' }).ok).toBe(true);
    }
  });
});

describe('console roles form', () => {
  it('turns rows into mappings: blank rows ignored, “No role” removes, each problem next to its row', async () => {
    const { consoleRolesFromForm } = await import('@/lib/validations/console-roles');
    expect(
      consoleRolesFromForm({
        connectionId: 'c',
        group_0: ' sso-owners ',
        role_0: 'owner',
        group_1: 'sso-viewers',
        role_1: 'viewer',
        group_2: 'old-group',
        role_2: '',
        group_3: '',
        role_3: '',
      }),
    ).toEqual({
      mappings: { 'sso-owners': 'owner', 'sso-viewers': 'viewer' },
      values: { group_0: 'sso-owners', role_0: 'owner', group_1: 'sso-viewers', role_1: 'viewer' },
    });
    expect(
      consoleRolesFromForm({
        group_0: 'a',
        role_0: 'admin',
        group_1: 'a',
        role_1: 'viewer',
        group_2: '',
        role_2: 'owner',
        group_3: 'x'.repeat(257),
        role_3: 'viewer',
        group_4: 'bad\u0007',
        role_4: 'viewer',
        group_5: 'g',
        role_5: 'root',
      }),
    ).toEqual({
      fieldErrors: {
        group_1: expect.stringMatching(/twice/),
        group_2: expect.stringMatching(/group name/),
        group_3: expect.stringMatching(/256/),
        group_4: expect.stringMatching(/control/),
        role_5: expect.stringMatching(/owner, admin or viewer/),
      },
    });
  });
});

describe('pages', () => {
  it('a control the role cannot use is disabled and says which role it needs', async () => {
    const { RoleGate } = await import('@/components/sso/role-gate');
    const button = createElement('button', { type: 'submit' }, 'Require SSO');
    const viewer = renderToStaticMarkup(
      createElement(RoleGate, { permission: 'setEnforcement', role: 'admin' }, button),
    );
    expect(viewer).toMatch(/<fieldset disabled="" aria-describedby="[^"]+"/);
    expect(viewer).toContain('Only an owner can do this.');
    const owner = renderToStaticMarkup(
      createElement(RoleGate, { permission: 'setEnforcement', role: 'owner' }, button),
    );
    expect(owner).toBe('<button type="submit">Require SSO</button>');
    const setup = renderToStaticMarkup(
      createElement(RoleGate, { permission: 'updateOidcConnection', role: null }, button),
    );
    expect(setup).not.toContain('disabled');
  });

  it('the audit trail names the person behind a console session', async () => {
    const { AuditList } = await import('@/components/sso/audit-list');
    const html = renderToStaticMarkup(
      createElement(AuditList, {
        events: [
          {
            id: 'aud_1',
            action: 'sso.connection_updated',
            actor: { kind: 'console_session', id: 'cs_1', label: 'alice@example.com' },
            target: { type: 'connection', id: 'conn_1' },
            changedFields: ['name'],
            createdAt: new Date().toISOString(),
          } as never,
        ],
      }),
    );
    expect(html).toContain('alice@example.com');
    expect(html).toContain('Console sign-in');
  });
});
