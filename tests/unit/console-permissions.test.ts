/**
 * The console's permission table (lib/auth/permissions.ts) against the code: every server action and route
 * handler is listed, and every listed one refuses the roles the table does not name — called for real, with the
 * encrypted session cookie of each kind of caller, against a recording stand-in for Grantex that proves a
 * refused call sends it nothing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({ cookie: null as null | { name: string; value: string } }));

vi.mock('next/headers', () => ({
  cookies: async () => ({
    get: (name: string) => (state.cookie && state.cookie.name === name ? state.cookie : undefined),
    getAll: () => (state.cookie ? [state.cookie] : []),
    has: (name: string) => state.cookie?.name === name,
    set: () => {},
    delete: () => {},
  }),
  headers: async () => new Headers({ host: '127.0.0.1:3999' }),
}));

const ROOT = path.resolve(__dirname, '../..');
const SECRET = 'permissions-test-secret-'.padEnd(48, 'x');

let grantex: Server;
/** Everything Grantex received except the "who is this console session" question. */
const received: string[] = [];
/** A console session whose role Grantex changed since the cookie was made (token → role). */
const serviceRoles = new Map<string, string>();

beforeAll(async () => {
  grantex = createServer((req, res) => {
    // Who a console session is: asked on every request (lib/auth/session.ts). The role is Grantex's answer.
    const bearer = /^Bearer (gxc_(owner|admin|viewer)_\w+)$/.exec(req.headers.authorization ?? '');
    if (req.method === 'GET' && req.url === '/v1/console/me' && bearer) {
      const role = serviceRoles.get(bearer[1]!) ?? bearer[2];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          developerId: 'dev_perm',
          role,
          via: 'sso',
          email: `${role}@example.com`,
          subject: null,
          connectionId: null,
          expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        }),
      );
      return;
    }
    received.push(`${req.method} ${req.url}`);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Not found', code: 'NOT_FOUND', requestId: 'req_stub' }));
  });
  await new Promise<void>((resolve) => grantex.listen(0, '127.0.0.1', resolve));
  process.env.GRANTEX_URL = `http://127.0.0.1:${(grantex.address() as AddressInfo).port}`;
  process.env.NEXTAUTH_SECRET = SECRET;
  process.env.APP_URL = 'http://127.0.0.1:3999';
  process.env.RATE_LIMIT = 'off';
});
afterAll(() => new Promise<void>((resolve) => grantex.close(() => resolve())));

function walk(dir: string, match: (name: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, match, out);
    else if (match(name)) out.push(path.relative(ROOT, full).split(path.sep).join('/'));
  }
  return out;
}

/** The exports of every 'use server' file under app/, and every route handler's HTTP methods. */
function discovered(): { actions: string[]; routes: string[] } {
  const actions: string[] = [];
  const routes: string[] = [];
  for (const file of walk(path.join(ROOT, 'app'), (n) => /\.(ts|tsx)$/.test(n))) {
    const source = readFileSync(path.join(ROOT, file), 'utf8');
    if (/^route\.ts$/.test(path.basename(file))) {
      for (const m of source.matchAll(/export\s+(?:async\s+)?function\s+(GET|POST|PUT|PATCH|DELETE)\b/g)) {
        routes.push(`${file} ${m[1]}`);
      }
      for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
        for (const part of m[1]!.split(',')) {
          const method = part
            .trim()
            .split(/\s+as\s+/)
            .pop();
          if (method && /^(GET|POST|PUT|PATCH|DELETE)$/.test(method)) routes.push(`${file} ${method}`);
        }
      }
    } else if (/^\s*['"]use server['"]/.test(source)) {
      for (const m of source.matchAll(/export\s+(?:const|async\s+function|function)\s+(\w+)/g)) {
        actions.push(`${file} ${m[1]}`);
      }
    }
  }
  return { actions: actions.sort(), routes: routes.sort() };
}

type Kind = 'owner' | 'admin' | 'viewer' | 'api_key' | 'setup_link' | 'signed_out';
const KINDS: Kind[] = ['owner', 'admin', 'viewer', 'api_key', 'setup_link', 'signed_out'];

async function signInAs(kind: Kind): Promise<void> {
  if (kind === 'signed_out') {
    state.cookie = null;
    return;
  }
  const { encode } = await import('next-auth/jwt');
  const token =
    kind === 'setup_link'
      ? {
          sub: 'setupsess_1',
          role: 'setup_link',
          developerId: 'dev_perm',
          organizationName: 'Perm Org',
          linkId: 'link_1',
          linkExpiresAt: new Date(Date.now() + 3600_000).toISOString(),
          name: 'IT admin',
          email: 'it@example.com',
          sessionToken: `gxsetupsess_${'s'.repeat(43)}`,
        }
      : {
          sub: 'dev_perm',
          role: 'admin',
          developerId: 'dev_perm',
          name: 'Perm Org',
          email: null,
          apiKey: kind === 'api_key' ? `gx_test_${'k'.repeat(43)}` : `gxc_${kind}_${'t'.repeat(40)}`,
          consoleRole: kind === 'api_key' ? 'owner' : kind,
          via: kind === 'api_key' ? 'api_key' : 'sso',
          person: kind === 'api_key' ? null : `${kind}@example.com`,
        };
  state.cookie = { name: 'next-auth.session-token', value: await encode({ token, secret: SECRET }) };
}

type Outcome =
  | { kind: 'state'; value: { ok?: boolean; code?: string; formError?: string; status?: string } }
  /** `testResultCode`: the error code of the test result a redirect to the test-result tab carries (its cookie). */
  | { kind: 'redirect'; to: string; testResultCode?: string | null }
  | { kind: 'response'; status: number; body: { code?: string; message?: string } | null }
  | { kind: 'threw'; error: unknown };

async function outcomeOf(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    const value = await run();
    if (value instanceof Response) {
      const text = await value.text();
      let body: Outcome extends never ? never : { code?: string; message?: string } | null = null;
      try {
        body = JSON.parse(text) as { code?: string; message?: string };
      } catch {
        body = null;
      }
      if (value.status >= 300 && value.status < 400) {
        const to = value.headers.get('location') ?? '';
        const { readTestResult, TEST_RESULT_COOKIE } = await import('@/lib/console/member-login/test-result');
        const cookie = value.headers.getSetCookie().find((c) => c.startsWith(`${TEST_RESULT_COOKIE}=`));
        const sealed = cookie?.slice(TEST_RESULT_COOKIE.length + 1).split(';')[0];
        if (sealed === undefined) return { kind: 'redirect', to };
        const result = await readTestResult(sealed, 'dev_perm', SECRET);
        return { kind: 'redirect', to, testResultCode: result?.status === 'failure' ? result.error.code : null };
      }
      return { kind: 'response', status: value.status, body };
    }
    return { kind: 'state', value: (value ?? {}) as Extract<Outcome, { kind: 'state' }>['value'] };
  } catch (error) {
    const digest = (error as { digest?: unknown })?.digest;
    if (typeof digest === 'string' && digest.startsWith('NEXT_REDIRECT')) {
      return { kind: 'redirect', to: digest.split(';')[2] ?? '' };
    }
    return { kind: 'threw', error };
  }
}

async function call(name: string): Promise<Outcome> {
  const { PERMISSIONS } = await import('@/lib/auth/permissions');
  const entry = PERMISSIONS[name as keyof typeof PERMISSIONS];
  const mod = (await import(/* @vite-ignore */ path.join(ROOT, entry.file))) as Record<string, unknown>;
  const fn = mod[entry.name] as (...args: unknown[]) => Promise<unknown>;
  const form = new FormData();
  form.set('connectionId', 'conn_perm');
  form.set('id', 'item_perm');
  if (entry.kind === 'flow') return outcomeOf(() => fn(new Headers(), form, 'req_perm'));
  if (entry.kind === 'route') {
    const { NextRequest } = await import('next/server');
    const req = new NextRequest('http://127.0.0.1:3999/x', { method: entry.name });
    return outcomeOf(() => fn(req, { params: Promise.resolve({ connectionId: 'conn_perm', key: 'k', nextauth: [] }) }));
  }
  return outcomeOf(() => (fn.length === 1 ? fn(form) : fn({ ok: false, fieldErrors: {}, values: {} }, form)));
}

function refusedByRole(o: Outcome): boolean {
  if (o.kind === 'state') return o.value.code === 'ROLE_REQUIRED';
  if (o.kind === 'response') return o.status === 403 && o.body?.code === 'ROLE_REQUIRED';
  // A test sign-in refused for the role goes to the test-result tab, with the refusal as its result.
  if (o.kind === 'redirect') return /[?&]revoke=role_required\b/.test(o.to) || o.testResultCode === 'ROLE_REQUIRED';
  return false;
}

function refusedSetupLink(o: Outcome): boolean {
  if (o.kind === 'state') return o.value.code === 'SETUP_LINK_NOT_ALLOWED';
  if (o.kind === 'response') return o.status === 403 && o.body?.code === 'SETUP_LINK_NOT_ALLOWED';
  if (o.kind === 'redirect') return o.to.startsWith('/setup/restricted');
  return false;
}

function refusedSignedOut(o: Outcome): boolean {
  if (o.kind === 'response') return o.status === 401;
  if (o.kind === 'redirect') return /\/signin(\?|$)/.test(o.to);
  return false;
}

function refusedAtAll(o: Outcome): boolean {
  return refusedByRole(o) || refusedSetupLink(o) || refusedSignedOut(o);
}

describe('console permission table', () => {
  it('lists every server action and route handler of the console, and nothing that does not exist', async () => {
    const { PERMISSIONS } = await import('@/lib/auth/permissions');
    const { actions, routes } = discovered();
    const listed = Object.values(PERMISSIONS)
      .filter((e) => e.kind !== 'flow')
      .map((e) => `${e.file} ${e.name}`)
      .sort();
    expect(listed).toEqual([...actions, ...routes].sort());
    // Action names are unique, so the table's keys are the actions' own names.
    for (const [key, entry] of Object.entries(PERMISSIONS)) {
      if (entry.kind === 'action') expect(key).toBe(entry.name);
      if (entry.kind === 'route') expect(key.startsWith(`${entry.name} /`)).toBe(true);
    }
  });

  it('discovers actions and routes from the file system (a new one would be caught)', () => {
    const { actions, routes } = discovered();
    expect(actions).toContain('app/settings/sso/[connectionId]/actions.ts deleteConnection');
    expect(actions).toContain('app/settings/sso/sessions/actions.ts revokeSsoSession');
    expect(routes).toContain('app/settings/sso/activity/export/route.ts GET');
    expect(routes).toContain('app/api/auth/[...nextauth]/route.ts POST');
  });
});

describe('the role that counts is the one Grantex gives now', () => {
  it('a cookie recorded as owner whose session Grantex now says is a viewer is refused as a viewer', async () => {
    const { encode } = await import('next-auth/jwt');
    const token = `gxc_owner_${'d'.repeat(40)}`;
    serviceRoles.set(token, 'viewer');
    state.cookie = {
      name: 'next-auth.session-token',
      value: await encode({
        token: {
          ...{ role: 'admin', developerId: 'dev_perm', name: 'Perm Org', email: null },
          apiKey: token,
          consoleRole: 'owner',
          via: 'sso',
          person: 'x',
        },
        secret: SECRET,
      }),
    };
    received.length = 0;
    const outcome = await call('deleteConnection');
    expect(refusedByRole(outcome), JSON.stringify(outcome)).toBe(true);
    expect(outcome.kind === 'state' && outcome.value.formError).toMatch(/you are signed in as a viewer/);
    expect(received).toEqual([]);
    serviceRoles.delete(token);
  });
});

describe('walking the permission table with a session of every role', async () => {
  const { PERMISSIONS } = await import('@/lib/auth/permissions');
  const guarded = Object.entries(PERMISSIONS).filter(([, e]) => e.roles !== 'public');

  it.each(guarded.map(([name]) => name))('%s: a role not listed is refused and Grantex hears nothing', async (name) => {
    const { roleRequiredText } = await import('@/lib/console/messages');
    const entry = PERMISSIONS[name as keyof typeof PERMISSIONS];
    const roles = entry.roles as readonly string[];
    for (const kind of KINDS) {
      await signInAs(kind);
      received.length = 0;
      const outcome = await call(name);
      const role = kind === 'api_key' ? 'owner' : kind;
      const listed = kind === 'setup_link' ? entry.setupLink : kind === 'signed_out' ? false : roles.includes(role);
      if (listed) {
        expect(refusedAtAll(outcome), `${name} as ${kind}: ${JSON.stringify(outcome)}`).toBe(false);
        continue;
      }
      if (kind === 'signed_out') {
        expect(refusedSignedOut(outcome), `${name} signed out: ${JSON.stringify(outcome)}`).toBe(true);
      } else if (kind === 'setup_link') {
        expect(refusedSetupLink(outcome), `${name} as setup link: ${JSON.stringify(outcome)}`).toBe(true);
      } else {
        expect(refusedByRole(outcome), `${name} as ${kind}: ${JSON.stringify(outcome)}`).toBe(true);
        const needed = roles.includes('admin') ? 'admin' : roles.includes('viewer') ? 'viewer' : 'owner';
        const text =
          outcome.kind === 'state'
            ? outcome.value.formError
            : outcome.kind === 'response'
              ? outcome.body?.message
              : undefined;
        if (outcome.kind !== 'redirect') {
          expect(text).toBe(roleRequiredText(needed, role as 'admin' | 'viewer'));
          expect(text).toMatch(new RegExp(`the ${needed} role`));
        }
      }
      expect(received, `${name} as ${kind} reached Grantex`).toEqual([]);
    }
  });
});
