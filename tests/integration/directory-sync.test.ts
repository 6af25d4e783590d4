/**
 * Directory sync (SCIM 2.0) through the real service over raw HTTP, on SQLite and (with
 * GRANTEX_TEST_DATABASE_URL) PostgreSQL: tokens, discovery, Users and Groups in the request shapes Microsoft
 * Entra ID and Okta document, filters, paging, uniqueness, tenant isolation, and what deactivation does to
 * sign-in (members sign in through the real SAML ACS with an Okta-shaped assertion signed by xmlsec1).
 *
 * Sources of the request shapes:
 * - Entra ID: "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
 *   (learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups), its request
 *   and response examples, and "Known issues and resolutions with SCIM 2.0 protocol compliance" (booleans sent
 *   as strings, PATCH without path, `emails[type eq "work"].value`).
 * - Okta: "SCIM 2.0 protocol reference" (developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20) — PUT user
 *   updates, `replace` of `active`, group push with `replace` of members.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCIM_SCHEMAS, ssoLoginResponseSchema } from '@/lib/contract';
import type { RunningSsoService } from '@/lib/sso-service';
import { GrantexClient } from '@/lib/grantex/client';
import { requestParts, signupOrg, startLocalSsoService } from '@/tests/support/stack';
import { testDatabaseOptions } from '@/tests/support/test-database';
import { NAMEID, VENDOR_PROFILES, vendorKey, vendorResponse } from '@/tests/support/vendor-saml';

const SP_ENTITY_ID = 'https://sso.example.test/saml/sp/directory-sync';
const ACS_URL = 'https://sso.example.test/sso/callback/saml';

let service: RunningSsoService;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gx-directory-'));
  service = await startLocalSsoService(dataDir, { ...(await testDatabaseOptions()), eventBuffer: { flushMs: 20 } });
});
afterAll(async () => {
  await service?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  text: string;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(
  method: string,
  urlPath: string,
  opts: { bearer?: string; json?: unknown; headers?: Record<string, string>; contentType?: string } = {},
): Promise<Answer> {
  const parts = requestParts({ apiKey: opts.bearer, json: opts.json });
  const headers = { ...parts.headers, ...opts.headers };
  if (opts.contentType) headers['content-type'] = opts.contentType;
  const res = await fetch(`${service.url}${urlPath}`, { method, headers, body: parts.body });
  const text = await res.text();
  return {
    status: res.status,
    text,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: res.headers,
  };
}

type Org = Awaited<ReturnType<typeof signupOrg>>;

async function scimToken(org: Org, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', '/v1/scim/tokens', { bearer: org.apiKey, json: { label: 'Entra ID', ...extra } });
  expect(res.status, res.text).toBe(201);
  return res.body.token as string;
}

/** A SCIM call as Entra and Okta make them: application/scim+json, the token as Bearer. */
const scim = (token: string, method: string, urlPath: string, json?: unknown, headers?: Record<string, string>) =>
  call(method, `/scim/v2${urlPath}`, {
    bearer: token,
    json,
    headers,
    ...(json !== undefined ? { contentType: 'application/scim+json' } : {}),
  });

const entraUser = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [SCIM_SCHEMAS.user, SCIM_SCHEMAS.enterpriseUser],
  externalId: userName.split('@')[0],
  userName,
  active: true,
  displayName: 'Test User',
  emails: [{ primary: true, type: 'work', value: userName }],
  name: { formatted: 'Test User', familyName: 'User', givenName: 'Test' },
  [SCIM_SCHEMAS.enterpriseUser]: { employeeNumber: '701984', department: 'Engineering' },
  ...extra,
});

function expectScimError(res: Answer, status: number, scimType?: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/scim+json');
  expect(res.body.schemas).toEqual([SCIM_SCHEMAS.error]);
  expect(res.body.status).toBe(String(status));
  if (scimType) expect(res.body.scimType).toBe(scimType);
}

describe('SCIM tokens (Grantex API)', () => {
  it('shows the token once, lists it without the secret, records its last use, and a revoke refuses it at once', async () => {
    const org = await signupOrg(service.url);
    const created = await call('POST', '/v1/scim/tokens', { bearer: org.apiKey, json: { label: 'Okta' } });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      label: 'Okta',
      connectionId: null,
      lastUsedAt: null,
      scimBaseUrl: `${service.url}/scim/v2`,
    });
    const token = created.body.token as string;
    expect(token).toMatch(/^gxscim_[A-Za-z0-9_-]{43}$/);

    const list = await call('GET', '/v1/scim/tokens', { bearer: org.apiKey });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(token);
    expect(list.body.tokens).toEqual([expect.objectContaining({ id: created.body.id, lastUsedAt: null })]);

    expect((await scim(token, 'GET', '/Users')).status).toBe(200);
    const after = await call('GET', '/v1/scim/tokens', { bearer: org.apiKey });
    expect((after.body.tokens as { lastUsedAt: string | null }[])[0]!.lastUsedAt).not.toBeNull();

    expect((await call('DELETE', `/v1/scim/tokens/${String(created.body.id)}`, { bearer: org.apiKey })).status).toBe(
      204,
    );
    expectScimError(await scim(token, 'GET', '/Users'), 401);
    expect((await call('GET', '/v1/scim/tokens', { bearer: org.apiKey })).body.tokens).toEqual([]);
    // The audit trail names the token by id and label; its secret is nowhere in what is stored.
    let audit = '';
    for (let i = 0; i < 50 && !audit.includes('scim_token.revoked'); i++) {
      audit = (await call('GET', '/v1/sso/audit', { bearer: org.apiKey })).text;
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(audit).toContain('scim_token.created');
    expect(audit).not.toContain(token);
    expect(audit).not.toContain(token.slice('gxscim_'.length, 20));
  });

  it('another org can neither revoke a token nor scope one to a connection it does not own', async () => {
    const a = await signupOrg(service.url);
    const b = await signupOrg(service.url);
    const created = await call('POST', '/v1/scim/tokens', { bearer: a.apiKey, json: { label: 'A' } });
    const id = String(created.body.id);
    expect((await call('DELETE', `/v1/scim/tokens/${id}`, { bearer: b.apiKey })).status).toBe(404);
    expect((await scim(created.body.token as string, 'GET', '/Users')).status).toBe(200);

    const conn = await samlConnection(a);
    const foreign = await call('POST', '/v1/scim/tokens', {
      bearer: b.apiKey,
      json: { label: 'x', connectionId: conn },
    });
    expect(foreign.status, foreign.text).toBe(404);
  });

  it('refuses a token without a label, an API key as a SCIM token, and no token', async () => {
    const org = await signupOrg(service.url);
    expect((await call('POST', '/v1/scim/tokens', { bearer: org.apiKey, json: {} })).status).toBe(400);
    expectScimError(await scim(org.apiKey, 'GET', '/Users'), 401);
    expectScimError(await call('GET', '/scim/v2/Users'), 401);
  });
});

describe('the audit trail', () => {
  it('records every provisioning change with the SCIM token as its actor', async () => {
    const org = await signupOrg(service.url);
    const created = await call('POST', '/v1/scim/tokens', { bearer: org.apiKey, json: { label: 'Entra ID' } });
    const token = created.body.token as string;
    const id = (await scim(token, 'POST', '/Users', entraUser('audited@acme.example'))).body.id as string;
    await scim(token, 'PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] });
    await scim(token, 'POST', '/Groups', { displayName: 'Audited', members: [{ value: id }] });
    await scim(token, 'DELETE', `/Users/${id}`);
    const want = [
      'directory_user.created',
      'directory_user.deactivated',
      'directory_group.created',
      'directory_user.deleted',
    ];
    let events: { action: string; actor: { kind: string; id: string | null; label: string | null } }[] = [];
    for (let i = 0; i < 100; i++) {
      events = (await call('GET', '/v1/sso/audit', { bearer: org.apiKey })).body.events as typeof events;
      if (want.every((a) => events.some((e) => e.action === a))) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    for (const action of want) {
      expect(events.find((e) => e.action === action)?.actor).toEqual({
        kind: 'scim_token',
        id: created.body.id,
        label: 'Entra ID',
      });
    }
  });
});

describe('SCIM discovery', () => {
  it('serves ServiceProviderConfig, Schemas and ResourceTypes without a token', async () => {
    const spc = await call('GET', '/scim/v2/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      bulk: { supported: false },
    });
    const types = await call('GET', '/scim/v2/ResourceTypes');
    expect((types.body.Resources as { id: string }[]).map((r) => r.id)).toEqual(['User', 'Group']);
    const schema = await call('GET', `/scim/v2/Schemas/${SCIM_SCHEMAS.user}`);
    expect(schema.status).toBe(200);
    expect(schema.body.name).toBe('User');
    expectScimError(await call('GET', '/scim/v2/Schemas/urn:nope'), 404);
    expectScimError(await call('POST', '/scim/v2/Bulk', { json: {}, contentType: 'application/scim+json' }), 501);
  });
});

describe('SCIM Users', () => {
  it('creates (Entra ID request shape), reads back with meta, and keeps unknown attributes but never a password', async () => {
    const token = await scimToken(await signupOrg(service.url));
    const created = await scim(
      token,
      'POST',
      '/Users',
      entraUser('Test_User_ab6490ee@testuser.com', { password: 'Pa55w0rd!', 'urn:example:custom': { shoeSize: 42 } }),
    );
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('content-type')).toContain('application/scim+json');
    const id = created.body.id as string;
    const meta = created.body.meta as Record<string, string>;
    expect(meta).toMatchObject({ resourceType: 'User', version: 'W/"1"' });
    expect(meta.location).toBe(`${service.url}/scim/v2/Users/${id}`);
    expect(created.headers.get('location')).toBe(meta.location);
    expect(created.text).not.toContain('Pa55w0rd!');
    expect(created.body['urn:example:custom']).toEqual({ shoeSize: 42 });
    expect(created.body[SCIM_SCHEMAS.enterpriseUser]).toMatchObject({ department: 'Engineering' });

    const read = await scim(token, 'GET', `/Users/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, userName: 'Test_User_ab6490ee@testuser.com', active: true });
    expect(read.text).not.toContain('Pa55w0rd!');
  });

  it('answers 409 uniqueness for a userName already taken in another case (Entra looks up, then creates)', async () => {
    const token = await scimToken(await signupOrg(service.url));
    expect((await scim(token, 'POST', '/Users', entraUser('dup@contoso.example'))).status).toBe(201);
    // Entra's lookup before create (the tutorial's "Get User by query").
    const lookup = await scim(token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "DUP@contoso.example"')}`);
    expect(lookup.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expectScimError(await scim(token, 'POST', '/Users', entraUser('Dup@Contoso.example')), 409, 'uniqueness');
  });

  it('filters with eq/co/sw/pr and and/or on indexed and other attributes, pages, and refuses a bad filter', async () => {
    const token = await scimToken(await signupOrg(service.url));
    for (const [name, active] of [
      ['ada@acme.example', true],
      ['alan@acme.example', false],
      ['grace@navy.example', true],
    ] as const) {
      const res = await scim(token, 'POST', '/Users', entraUser(name, { active, displayName: name.split('@')[0] }));
      expect(res.status, res.text).toBe(201);
    }
    const names = async (filter: string, extra = '') => {
      const res = await scim(token, 'GET', `/Users?filter=${encodeURIComponent(filter)}${extra}`);
      expect(res.status, res.text).toBe(200);
      return (res.body.Resources as { userName: string }[]).map((r) => r.userName).sort();
    };
    expect(await names('userName sw "a"')).toEqual(['ada@acme.example', 'alan@acme.example']);
    expect(await names('userName co "NAVY"')).toEqual(['grace@navy.example']);
    expect(await names('active eq false')).toEqual(['alan@acme.example']);
    expect(await names('externalId eq "ada" or externalId eq "grace"')).toEqual([
      'ada@acme.example',
      'grace@navy.example',
    ]);
    expect(await names('userName ew "acme.example" and active eq true')).toEqual(['ada@acme.example']);
    // Not indexed: tested over the documents.
    expect(await names('emails[type eq "work" and value co "navy"]')).toEqual(['grace@navy.example']);
    expect(await names('emails.value eq "ALAN@acme.example"')).toEqual(['alan@acme.example']);
    expect(await names('name.givenName pr')).toHaveLength(3);

    const page = await scim(token, 'GET', '/Users?startIndex=2&count=1');
    expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    const projected = await scim(token, 'GET', '/Users?attributes=userName&count=1');
    expect(Object.keys((projected.body.Resources as object[])[0]!).sort()).toEqual([
      'id',
      'meta',
      'schemas',
      'userName',
    ]);
    const excluded = await scim(token, 'GET', '/Users?excludedAttributes=emails,name&count=1');
    expect((excluded.body.Resources as object[])[0]).not.toHaveProperty('emails');

    expectScimError(
      await scim(token, 'GET', `/Users?filter=${encodeURIComponent('userName eq')}`),
      400,
      'invalidFilter',
    );
    expectScimError(await scim(token, 'GET', `/Users?filter=${encodeURIComponent('(((')}`), 400, 'invalidFilter');
  });

  it('applies the PATCH shapes Entra ID sends: path or none, string booleans, value filters, the manager extension', async () => {
    const token = await scimToken(await signupOrg(service.url));
    const manager = (await scim(token, 'POST', '/Users', entraUser('boss@contoso.example'))).body.id as string;
    const id = (await scim(token, 'POST', '/Users', entraUser('pat@contoso.example'))).body.id as string;
    const patch = (...Operations: object[]) =>
      scim(token, 'PATCH', `/Users/${id}`, { schemas: [SCIM_SCHEMAS.patchOp], Operations });

    let res = await patch(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'pat.new@contoso.example' },
      { op: 'Replace', path: 'name.familyName', value: 'Newname' },
      { op: 'Add', path: `${SCIM_SCHEMAS.enterpriseUser}:manager`, value: manager },
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.emails).toEqual([{ primary: true, type: 'work', value: 'pat.new@contoso.example' }]);
    expect(res.body.name).toMatchObject({ familyName: 'Newname', givenName: 'Test' });
    expect(res.body[SCIM_SCHEMAS.enterpriseUser]).toMatchObject({ manager, department: 'Engineering' });
    expect(res.body.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555 0100' }]);
    expect((res.body.meta as { version: string }).version).toBe('W/"2"');

    // "active": "False" as a string, with a path; then without a path, as Entra's "Update User [Multi-valued properties]" does.
    res = await patch({ op: 'Replace', path: 'active', value: 'False' });
    expect(res.body.active).toBe(false);
    res = await patch({ op: 'replace', value: { active: 'True', displayName: 'Pat N.' } });
    expect(res.body).toMatchObject({ active: true, displayName: 'Pat N.' });

    res = await patch({ op: 'Remove', path: `${SCIM_SCHEMAS.enterpriseUser}:manager` });
    expect(res.body[SCIM_SCHEMAS.enterpriseUser]).not.toHaveProperty('manager');

    expectScimError(await patch({ op: 'Frobnicate', path: 'active', value: true }), 400, 'invalidValue');
    expectScimError(await patch({ op: 'Replace', path: 'emails[[[', value: 'x' }), 400, 'invalidPath');
    expectScimError(await patch({ op: 'Replace', path: 'active', value: 'maybe' }), 400, 'invalidValue');
    expectScimError(await scim(token, 'PATCH', `/Users/${id}`, { Operations: [] }), 400, 'invalidSyntax');
  });

  it('replaces a user with PUT as Okta does, honours If-Match, and deletes', async () => {
    const token = await scimToken(await signupOrg(service.url));
    const created = await scim(token, 'POST', '/Users', entraUser('okta.user@acme.example'));
    const id = created.body.id as string;
    const put = await scim(
      token,
      'PUT',
      `/Users/${id}`,
      { ...entraUser('okta.user@acme.example'), id, active: false, displayName: 'Okta User' },
      { 'if-match': 'W/"1"' },
    );
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ active: false, displayName: 'Okta User' });
    expect(put.headers.get('etag')).toBe('W/"2"');
    expectScimError(
      await scim(token, 'PUT', `/Users/${id}`, entraUser('okta.user@acme.example'), { 'if-match': 'W/"1"' }),
      412,
    );

    expect((await scim(token, 'DELETE', `/Users/${id}`)).status).toBe(204);
    expectScimError(await scim(token, 'GET', `/Users/${id}`), 404);
    expectScimError(await scim(token, 'DELETE', `/Users/${id}`), 404);
  });
  it('answers odd documents and bodies with 201 or a SCIM 400/413/415, never a 500', async () => {
    const token = await scimToken(await signupOrg(service.url));
    const odd: unknown[] = [
      { userName: 'odd1@acme.example', emails: 'not-a-list' },
      { userName: 'odd2@acme.example', name: 5, emails: [null, 7, { value: 42 }] },
      { userName: 'odd3@acme.example', 'urn:x:ext': { deep: { deeper: [1, { a: null }] } }, active: null },
      { userName: 42 },
      { userName: '' },
      { userName: 'x'.repeat(300) },
      { userName: 'odd4@acme.example', active: 'yes' },
      { userName: 'odd5@acme.example', externalId: { nested: true } },
      [],
      'a string',
      null,
    ];
    for (const body of odd) {
      const res = await scim(token, 'POST', '/Users', body);
      expect([201, 400], `${JSON.stringify(body)} → ${res.text}`).toContain(res.status);
      if (res.status === 400) expectScimError(res, 400);
    }
    const patchOdd: unknown[] = [
      { Operations: 'nope' },
      { Operations: [null] },
      { Operations: [{ op: 'replace', path: 42, value: 1 }] },
      { Operations: [{ op: 'add', path: 'emails[type eq', value: 1 }] },
      { Operations: [{ op: 'remove' }] },
      { Operations: [{ op: 'replace', value: 'not-an-object' }] },
      { Operations: [{ op: 'replace', path: 'userName', value: '' }] },
    ];
    const id = (await scim(token, 'POST', '/Users', entraUser('patch.target@acme.example'))).body.id as string;
    for (const body of patchOdd) {
      const res = await scim(token, 'PATCH', `/Users/${id}`, body);
      expectScimError(res, 400);
    }
    // Malformed JSON, a body over the cap, a media type SCIM does not speak.
    const raw = (body: string, contentType: string) =>
      fetch(`${service.url}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
        body,
      });
    expect((await raw('{"userName":', 'application/scim+json')).status).toBe(400);
    const big = await raw(
      JSON.stringify({ userName: 'big@acme.example', pad: 'x'.repeat(300 * 1024) }),
      'application/scim+json',
    );
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ status: '413' });
    expect((await raw('userName=x', 'application/x-www-form-urlencoded')).status).toBe(415);
    // The user the odd PATCHes aimed at is as it was.
    expect((await scim(token, 'GET', `/Users/${id}`)).body).toMatchObject({
      userName: 'patch.target@acme.example',
      active: true,
    });
  });
});

describe('SCIM Groups', () => {
  it('adds and removes members in batches (Entra ID) and replaces them with an empty list (Okta group push)', async () => {
    const token = await scimToken(await signupOrg(service.url));
    const ids: string[] = [];
    for (const n of ['g1', 'g2', 'g3'])
      ids.push((await scim(token, 'POST', '/Users', entraUser(`${n}@acme.example`))).body.id as string);
    const created = await scim(token, 'POST', '/Groups', {
      schemas: [SCIM_SCHEMAS.group],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'Engineering',
      members: [{ value: ids[0] }],
    });
    expect(created.status, created.text).toBe(201);
    const gid = created.body.id as string;
    const members = async () =>
      ((await scim(token, 'GET', `/Groups/${gid}`)).body.members as { value: string }[]).map((m) => m.value).sort();
    const patch = (...Operations: object[]) =>
      scim(token, 'PATCH', `/Groups/${gid}`, { schemas: [SCIM_SCHEMAS.patchOp], Operations });

    expect((await patch({ op: 'Add', path: 'members', value: [{ value: ids[1] }, { value: ids[2] }] })).status).toBe(
      204,
    );
    expect(await members()).toEqual([...ids].sort());
    expect((await patch({ op: 'Remove', path: 'members', value: [{ value: ids[0] }] })).status).toBe(204);
    expect((await patch({ op: 'remove', path: `members[value eq "${ids[1]}"]` })).status).toBe(204);
    expect(await members()).toEqual([ids[2]]);

    // Membership lookups by filter, and a list without members.
    const byMember = await scim(token, 'GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${ids[2]}"]`)}`);
    expect((byMember.body.Resources as { id: string }[]).map((g) => g.id)).toEqual([gid]);
    const listed = await scim(token, 'GET', '/Groups?excludedAttributes=members');
    expect((listed.body.Resources as object[])[0]).not.toHaveProperty('members');

    // Okta: rename by PATCH without a path (id in the value is ignored), then replace the members with none.
    expect((await patch({ op: 'replace', value: { id: gid, displayName: 'Eng' } })).status).toBe(204);
    expect((await patch({ op: 'replace', path: 'members', value: [] })).status).toBe(204);
    const after = await scim(token, 'GET', `/Groups/${gid}`);
    expect(after.body).toMatchObject({ displayName: 'Eng', members: [] });

    expectScimError(await scim(token, 'POST', '/Groups', { displayName: 'eng' }), 409, 'uniqueness');
    expect((await scim(token, 'DELETE', `/Groups/${gid}`)).status).toBe(204);
    expectScimError(await scim(token, 'GET', `/Groups/${gid}`), 404);
  });

  it("one org's token reaches nothing of another org's directory", async () => {
    const a = await scimToken(await signupOrg(service.url));
    const b = await scimToken(await signupOrg(service.url));
    const userA = (await scim(a, 'POST', '/Users', entraUser('victim@acme.example'))).body.id as string;
    expectScimError(await scim(b, 'GET', `/Users/${userA}`), 404);
    expectScimError(
      await scim(b, 'PATCH', `/Users/${userA}`, { Operations: [{ op: 'replace', path: 'active', value: false }] }),
      404,
    );
    expectScimError(await scim(b, 'DELETE', `/Users/${userA}`), 404);
    expect(
      (await scim(b, 'GET', `/Users?filter=${encodeURIComponent('userName eq "victim@acme.example"')}`)).body
        .totalResults,
    ).toBe(0);
    // A group of B cannot take A's user as a member.
    expectScimError(
      await scim(b, 'POST', '/Groups', { displayName: 'Spies', members: [{ value: userA }] }),
      400,
      'invalidValue',
    );
    // A's user is untouched.
    expect((await scim(a, 'GET', `/Users/${userA}`)).body).toMatchObject({ active: true });
  });
});

// ---------------------------------------------------------------- sign-in

async function samlConnection(org: Org, extra: Record<string, unknown> = {}): Promise<string> {
  const profile = VENDOR_PROFILES.okta;
  const res = await call('POST', '/v1/sso/connections', {
    bearer: org.apiKey,
    json: {
      name: 'Okta',
      protocol: 'saml',
      idpEntityId: profile.idpEntityId,
      idpSsoUrl: profile.idpSsoUrl,
      idpCertificate: vendorKey(profile.vendor).certificatePem,
      spEntityId: SP_ENTITY_ID,
      spAcsUrl: ACS_URL,
      jitProvisioning: true,
      ...extra,
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

/** One SP-initiated sign-in of `email` with Okta's default assertion shape (the email as an unspecified NameID). */
async function signIn(org: Org, connectionId: string, email: string): Promise<Answer> {
  const login = await call('GET', `/sso/login?org=${org.developerId}&connection=${connectionId}`);
  expect(login.status, login.text).toBe(200);
  const { authorizeUrl } = ssoLoginResponseSchema.parse(login.body);
  const request = inflateRawSync(Buffer.from(new URL(authorizeUrl).searchParams.get('SAMLRequest')!, 'base64'));
  const xml = vendorResponse(VENDOR_PROFILES.okta, {
    requestId: /\sID="([^"]+)"/.exec(request.toString('utf8'))![1]!,
    spEntityId: SP_ENTITY_ID,
    acsUrl: ACS_URL,
    nameId: { value: email, format: NAMEID.unspecified },
  });
  return call('POST', '/sso/callback/saml', {
    json: {
      SAMLResponse: Buffer.from(xml, 'utf8').toString('base64'),
      RelayState: new URL(authorizeUrl).searchParams.get('RelayState')!,
    },
  });
}

const liveSessions = async (org: Org) =>
  (await call('GET', '/v1/sso/sessions', { bearer: org.apiKey })).body.sessions as {
    id: string;
    email: string;
    groups: string[];
    mappedScopes: string[];
  }[];

async function signInEvents(org: Org) {
  for (let i = 0; i < 100; i++) {
    const res = await call('GET', '/v1/sso/events', { bearer: org.apiKey });
    const list = res.body.events as Array<Record<string, unknown>>;
    if (list.some((e) => e.outcome === 'failure')) return list;
    await new Promise((r) => setTimeout(r, 30));
  }
  return [];
}

describe('directory sync decides who signs in', () => {
  it('deactivation (Entra: "active": "False") ends the member\'s sessions at once and refuses the next sign-in; reactivation lets them in', async () => {
    const org = await signupOrg(service.url);
    const connectionId = await samlConnection(org);
    const token = await scimToken(org);
    const user = await scim(token, 'POST', '/Users', entraUser('dana@acme.example'));
    const id = user.body.id as string;

    const first = await signIn(org, connectionId, 'dana@acme.example');
    expect(first.status, first.text).toBe(200);
    const other = await signIn(org, connectionId, 'erik@acme.example');
    expect(other.status, other.text).toBe(200);
    expect((await liveSessions(org)).map((s) => s.email).sort()).toEqual(['dana@acme.example', 'erik@acme.example']);

    const off = await scim(token, 'PATCH', `/Users/${id}`, {
      schemas: [SCIM_SCHEMAS.patchOp],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.status, off.text).toBe(200);
    // Her session is gone (the console's session check sees it revoked); his is not.
    expect((await liveSessions(org)).map((s) => s.email)).toEqual(['erik@acme.example']);

    const refused = await signIn(org, connectionId, 'dana@acme.example');
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.errors).toEqual([expect.objectContaining({ code: 'directory_user_inactive' })]);
    expect((await liveSessions(org)).map((s) => s.email)).toEqual(['erik@acme.example']);
    const events = await signInEvents(org);
    expect(events.find((e) => e.outcome === 'failure')).toMatchObject({
      reason: 'directory_user_inactive',
      stage: 'provisioning',
    });

    await scim(token, 'PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', value: { active: true } }] });
    expect((await signIn(org, connectionId, 'dana@acme.example')).status).toBe(200);

    // Deleting the user ends her sessions too; with JIT (not directory-only) she may then sign in as before.
    expect((await scim(token, 'DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await liveSessions(org)).map((s) => s.email)).toEqual(['erik@acme.example']);
  });

  it('a directory-only connection takes only active directory users, and their directory groups map to scopes', async () => {
    const org = await signupOrg(service.url);
    const connectionId = await samlConnection(org, {
      directoryUsersOnly: true,
      groupMappings: { Engineering: ['repo:write'] },
      defaultScopes: ['profile'],
    });
    const conn = await call('GET', `/v1/sso/connections/${connectionId}`, { bearer: org.apiKey });
    expect(conn.body.directoryUsersOnly).toBe(true);
    const token = await scimToken(org, { connectionId });
    const userId = (await scim(token, 'POST', '/Users', entraUser('fay@acme.example'))).body.id as string;
    await scim(token, 'POST', '/Groups', { displayName: 'Engineering', members: [{ value: userId }] });

    const stranger = await signIn(org, connectionId, 'mallory@acme.example');
    expect(stranger.status, stranger.text).toBe(403);
    expect(stranger.body.errors).toEqual([expect.objectContaining({ code: 'directory_user_unknown' })]);

    const ok = await signIn(org, connectionId, 'FAY@acme.example');
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ groups: ['Engineering'] });
    expect((ok.body.mappedScopes as string[]).sort()).toEqual(['profile', 'repo:write']);
  });

  it("another org's directory never decides this org's sign-ins", async () => {
    const victim = await signupOrg(service.url);
    const connectionId = await samlConnection(victim);
    const attacker = await signupOrg(service.url);
    const token = await scimToken(attacker);
    // The attacker provisions the victim's member, deactivated, in its own directory.
    await scim(token, 'POST', '/Users', entraUser('gil@acme.example', { active: false }));
    const res = await signIn(victim, connectionId, 'gil@acme.example');
    expect(res.status, res.text).toBe(200);
  });
});

describe('through the Grantex client', () => {
  it('creates, lists and revokes tokens as the official SDK names them; a setup session can too', async () => {
    const org = await signupOrg(service.url);
    const created = await org.client.scim.createToken({ label: 'Okta' });
    expect(created.token).toMatch(/^gxscim_/);
    expect((await org.client.scim.listTokens()).map((t) => t.id)).toEqual([created.id]);
    expect((await scim(created.token, 'GET', '/Users')).status).toBe(200);
    await org.client.scim.revokeToken(created.id);
    expect(await org.client.scim.listTokens()).toEqual([]);
    expectScimError(await scim(created.token, 'GET', '/Users'), 401);
    await expect(org.client.scim.revokeToken(created.id)).rejects.toMatchObject({ status: 404 });

    // The IT admin, through a setup session, connects the directory.
    const link = await org.client.sso.setupLinks.create({ label: 'IT' });
    const linkClient = new GrantexClient({ baseUrl: service.url, apiKey: link.token });
    const session = await linkClient.sso.setupLinks.redeem({ name: 'Ivy IT', email: 'ivy@acme.example' });
    const setupClient = new GrantexClient({ baseUrl: service.url, apiKey: session.sessionToken });
    const viaSetup = await setupClient.scim.createToken({ label: 'Entra ID' });
    expect((await scim(viaSetup.token, 'GET', '/ServiceProviderConfig')).status).toBe(200);
    expect((await org.client.scim.listTokens()).map((t) => t.label)).toEqual(['Entra ID']);
  });
});

describe("the console's view of the directory", () => {
  it('lists the org’s users (search, state, groups) and groups (member counts), and nothing of another org', async () => {
    const org = await signupOrg(service.url);
    const token = await scimToken(org);
    const ids: Record<string, string> = {};
    for (const [name, active] of [
      ['hana@acme.example', true],
      ['ivan@acme.example', false],
      ['jo_100%@acme.example', true],
    ] as const) {
      ids[name] = (await scim(token, 'POST', '/Users', entraUser(name, { active, displayName: name }))).body
        .id as string;
    }
    await scim(token, 'POST', '/Groups', { displayName: 'Sales', members: [{ value: ids['hana@acme.example'] }] });
    const other = await signupOrg(service.url);
    await scim(await scimToken(other), 'POST', '/Users', entraUser('outsider@acme.example'));

    const all = await org.client.scim.listDirectoryUsers();
    expect(all.totalResults).toBe(3);
    expect(all.users.find((u) => u.userName === 'hana@acme.example')).toMatchObject({
      active: true,
      groups: ['Sales'],
      connectionId: null,
      email: 'hana@acme.example',
    });
    expect((await org.client.scim.listDirectoryUsers({ state: 'inactive' })).users.map((u) => u.userName)).toEqual([
      'ivan@acme.example',
    ]);
    // The search is literal: % and _ match themselves.
    expect((await org.client.scim.listDirectoryUsers({ search: '_100%' })).users.map((u) => u.userName)).toEqual([
      'jo_100%@acme.example',
    ]);
    expect((await org.client.scim.listDirectoryUsers({ search: 'outsider' })).totalResults).toBe(0);
    const page = await org.client.scim.listDirectoryUsers({ startIndex: 3, count: 1 });
    expect(page).toMatchObject({ totalResults: 3, startIndex: 3 });
    expect(page.users).toHaveLength(1);

    const groups = await org.client.scim.listDirectoryGroups();
    expect(groups.groups).toEqual([expect.objectContaining({ displayName: 'Sales', memberCount: 1 })]);
    expect((await other.client.scim.listDirectoryGroups()).groups).toEqual([]);
  });
});

describe("the official Grantex SDKs' SCIM calls", () => {
  // Exactly what the SDKs' `scim` client sends, as read from its published source (Python `ScimClient`:
  // create_token/list_tokens/revoke_token with the API key; list_users(start_index, count), create_user,
  // replace_user, update_user(operations) → {"Operations": [...]}, delete_user with the SCIM token as the
  // client's key), all as application/json.
  it('work unchanged: tokens with the API key, Users with the SCIM token', async () => {
    const org = await signupOrg(service.url);
    const created = await call('POST', '/v1/scim/tokens', { bearer: org.apiKey, json: { label: 'sdk' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ label: 'sdk', lastUsedAt: null });
    for (const key of ['id', 'createdAt', 'token']) expect(created.body).toHaveProperty(key);
    const token = created.body.token as string;
    const listed = await call('GET', '/v1/scim/tokens', { bearer: org.apiKey });
    expect((listed.body.tokens as object[])[0]).toMatchObject({ id: created.body.id, label: 'sdk' });

    const user = await call('POST', '/scim/v2/Users', {
      bearer: token,
      json: {
        userName: 'sdk.user@acme.example',
        displayName: 'SDK User',
        emails: [{ value: 'sdk.user@acme.example', primary: true }],
      },
    });
    expect(user.status, user.text).toBe(201);
    const id = user.body.id as string;
    const page = await call('GET', '/scim/v2/Users?startIndex=1&count=10', { bearer: token });
    expect(page.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    const replaced = await call('PUT', `/scim/v2/Users/${id}`, {
      bearer: token,
      json: { userName: 'sdk.user@acme.example', displayName: 'SDK User 2', active: true },
    });
    expect(replaced.body.displayName).toBe('SDK User 2');
    const patched = await call('PATCH', `/scim/v2/Users/${id}`, {
      bearer: token,
      json: { Operations: [{ op: 'replace', path: 'active', value: false }] },
    });
    expect(patched.body.active).toBe(false);
    expect((await call('DELETE', `/scim/v2/Users/${id}`, { bearer: token })).status).toBe(204);
    expect((await call('DELETE', `/v1/scim/tokens/${String(created.body.id)}`, { bearer: org.apiKey })).status).toBe(
      204,
    );
  });
});
