/**
 * A SAML connection's own SP keys on the real service (SQLite, and PostgreSQL with GRANTEX_TEST_DATABASE_URL):
 * signed AuthnRequests (the signing key made when the option is turned on, the Redirect signature checked with
 * the published certificate), rotation with overlap (rotate → both published → promote → the new key signs →
 * retire), who may do it, and that no answer ever carries a private key.
 */
import { verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  samlSpKeyListSchema,
  ssoConnectionSchema,
  ssoLoginResponseSchema,
  type SamlSpKey,
  type SsoSamlConnection,
} from '@/lib/contract';
import { startDevIdp, type DevIdp } from '@/lib/dev-idp';
import type { RunningSsoService } from '@/lib/sso-service';
import { SP_KEY_ROTATIONS_PER_MIN } from '@/lib/sso-service/features/sp-keys/routes';
import { loginAtDevSamlIdp } from '@/tests/support/saml-login';
import { SAML_REASONS, type SamlReason } from '@/lib/sso-service/saml';
import { encryptedResponse, tamperContent, type EncryptedResponseOptions } from '@/tests/support/saml-encryption';
import { ENCRYPTION_ATTACK_CASES } from '@/tests/support/saml-encryption-attack-cases';
import { ALICE, form, kitConnectionFields, testKeys } from '@/tests/support/saml-kit';
import { inflateRawSync } from 'node:zlib';
import { requestParts, signupOrg, startLocalSsoService } from '@/tests/support/stack';
import { testDatabaseOptions } from '@/tests/support/test-database';

let service: RunningSsoService;
let idp: DevIdp;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gx-saml-keys-'));
  idp = await startDevIdp({ port: 0, host: '127.0.0.1' });
  service = await startLocalSsoService(dataDir, { ...(await testDatabaseOptions()), logLevel: 'warn' });
});
afterAll(async () => {
  await service?.close();
  await idp?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  text: string;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  urlPath: string,
  opts: { apiKey?: string; json?: unknown; form?: Record<string, string> } = {},
): Promise<Answer> {
  const { headers, body } = requestParts(opts);
  const res = await fetch(`${service.url}${urlPath}`, { method, headers, body });
  const text = await res.text();
  // No answer of the service ever carries a private key.
  expect(text).not.toMatch(/PRIVATE KEY/);
  const json = res.headers.get('content-type')?.includes('json') && text;
  return { status: res.status, text, body: json ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

type Org = Awaited<ReturnType<typeof signupOrg>>;

async function kitConnection(org: Org, extra: Record<string, unknown> = {}): Promise<SsoSamlConnection> {
  const res = await call('POST', '/v1/sso/connections', {
    apiKey: org.apiKey,
    json: { name: 'SAML', protocol: 'saml', ...kitConnectionFields(), ...extra },
  });
  expect(res.status, res.text).toBe(201);
  const parsed = ssoConnectionSchema.parse(res.body);
  if (parsed.protocol !== 'saml') throw new Error('not saml');
  return parsed;
}

async function keys(org: Org, id: string): Promise<SamlSpKey[]> {
  const res = await call('GET', `/v1/sso/connections/${id}/sp-keys`, { apiKey: org.apiKey });
  expect(res.status, res.text).toBe(200);
  return samlSpKeyListSchema.parse(res.body).keys;
}

const keyOf = (list: SamlSpKey[], use: SamlSpKey['use'], state: SamlSpKey['state']) =>
  list.find((k) => k.use === use && k.state === state);
const certBody = (pem: string) => pem.split('\n').slice(1, -2).join('');

async function metadata(id: string) {
  const res = await call('GET', `/sso/saml/${id}/metadata`);
  expect(res.status).toBe(200);
  return res.text;
}

/** The login URL, and whether its HTTP-Redirect signature verifies with `certificatePem` (RSA-SHA256). */
async function signedLogin(org: Org, id: string) {
  const res = await call('GET', `/sso/login?org=${org.developerId}&connection=${id}`);
  expect(res.status, res.text).toBe(200);
  const url = new URL(ssoLoginResponseSchema.parse(res.body).authorizeUrl);
  const raw = url.search.slice(1).split('&');
  const part = (name: string) => raw.find((p) => p.startsWith(`${name}=`));
  const signature = url.searchParams.get('Signature');
  return {
    sigAlg: url.searchParams.get('SigAlg'),
    signature,
    verifiesWith(certificatePem: string) {
      if (!signature) return false;
      // The Redirect binding signs the query parts as sent: SAMLRequest, RelayState, SigAlg.
      const signed = [part('SAMLRequest'), part('RelayState'), part('SigAlg')].join('&');
      return verify('sha256', Buffer.from(signed), certificatePem, Buffer.from(signature, 'base64'));
    },
  };
}

describe('SAML SP keys: signed AuthnRequests', () => {
  it('a new connection has no SP key, unsigned requests, and no KeyDescriptor in its metadata', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org);
    expect(c.signAuthnRequests).toBe(false);
    expect(await keys(org, c.id)).toEqual([]);
    expect(await metadata(c.id)).not.toContain('KeyDescriptor');
    const login = await signedLogin(org, c.id);
    expect(login.signature).toBeNull();
  });

  it('turning signAuthnRequests on makes a signing key: published in the metadata, and every AuthnRequest is signed with it (RSA-SHA256)', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org);
    const patched = await call('PATCH', `/v1/sso/connections/${c.id}`, {
      apiKey: org.apiKey,
      json: { signAuthnRequests: true },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.signAuthnRequests).toBe(true);
    const list = await keys(org, c.id);
    expect(list).toHaveLength(1);
    const current = keyOf(list, 'signing', 'current')!;
    expect(current).toMatchObject({ published: true, fingerprintSha256: expect.stringMatching(/^([0-9A-F]{2}:){31}/) });
    expect(new Date(current.notAfter).getTime()).toBeGreaterThan(Date.now() + 365 * 24 * 3600 * 1000);
    const xml = await metadata(c.id);
    expect(xml).toContain('AuthnRequestsSigned="true"');
    expect(xml).toContain('use="signing"');
    expect(xml).toContain(certBody(current.certificatePem));
    const login = await signedLogin(org, c.id);
    expect(login.sigAlg).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(login.verifiesWith(current.certificatePem)).toBe(true);
    // Turning it off again: unsigned requests, the key stays (published, for a later logout or turning it back on).
    await call('PATCH', `/v1/sso/connections/${c.id}`, { apiKey: org.apiKey, json: { signAuthnRequests: false } });
    expect((await signedLogin(org, c.id)).signature).toBeNull();
    expect(await metadata(c.id)).toContain('AuthnRequestsSigned="false"');
  });

  it('a connection created with signAuthnRequests signs its first login', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org, { signAuthnRequests: true });
    expect(c.signAuthnRequests).toBe(true);
    const current = keyOf(await keys(org, c.id), 'signing', 'current')!;
    expect((await signedLogin(org, c.id)).verifiesWith(current.certificatePem)).toBe(true);
  });
});

describe('SAML SP keys: rotation with overlap', () => {
  it('rotate → both published, the current key still signs → promote → the new key signs, the old one is no longer published → retire', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org, { signAuthnRequests: true });
    const a = keyOf(await keys(org, c.id), 'signing', 'current')!;

    const rotated = await call('POST', `/v1/sso/connections/${c.id}/sp-keys/rotate`, {
      apiKey: org.apiKey,
      json: { use: 'signing' },
    });
    expect(rotated.status, rotated.text).toBe(201);
    const afterRotate = samlSpKeyListSchema.parse(rotated.body).keys;
    const b = keyOf(afterRotate, 'signing', 'next')!;
    expect(keyOf(afterRotate, 'signing', 'current')!.id).toBe(a.id);
    expect(b.fingerprintSha256).not.toBe(a.fingerprintSha256);
    let xml = await metadata(c.id);
    expect(xml).toContain(certBody(a.certificatePem));
    expect(xml).toContain(certBody(b.certificatePem));
    let login = await signedLogin(org, c.id);
    expect(login.verifiesWith(a.certificatePem)).toBe(true);
    expect(login.verifiesWith(b.certificatePem)).toBe(false);

    // One rotation at a time.
    const again = await call('POST', `/v1/sso/connections/${c.id}/sp-keys/rotate`, {
      apiKey: org.apiKey,
      json: { use: 'signing' },
    });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([expect.objectContaining({ code: 'sp_key_rotation_pending' })]);

    const promoted = await call('POST', `/v1/sso/connections/${c.id}/sp-keys/promote`, {
      apiKey: org.apiKey,
      json: { use: 'signing' },
    });
    expect(promoted.status, promoted.text).toBe(200);
    const afterPromote = samlSpKeyListSchema.parse(promoted.body).keys;
    expect(keyOf(afterPromote, 'signing', 'current')!.id).toBe(b.id);
    expect(keyOf(afterPromote, 'signing', 'previous')).toMatchObject({ id: a.id, published: false });
    login = await signedLogin(org, c.id);
    expect(login.verifiesWith(b.certificatePem)).toBe(true);
    expect(login.verifiesWith(a.certificatePem)).toBe(false);
    xml = await metadata(c.id);
    expect(xml).toContain(certBody(b.certificatePem));
    expect(xml).not.toContain(certBody(a.certificatePem));

    // Nothing left to promote; the current signing key cannot go while requests are signed; the previous one can.
    const nothing = await call('POST', `/v1/sso/connections/${c.id}/sp-keys/promote`, {
      apiKey: org.apiKey,
      json: { use: 'signing' },
    });
    expect(nothing.status).toBe(409);
    expect(nothing.body.errors).toEqual([expect.objectContaining({ code: 'sp_key_nothing_to_promote' })]);
    const inUse = await call('DELETE', `/v1/sso/connections/${c.id}/sp-keys/${b.id}`, { apiKey: org.apiKey });
    expect(inUse.status).toBe(409);
    expect(inUse.body.errors).toEqual([expect.objectContaining({ code: 'sp_key_in_use' })]);
    const retired = await call('DELETE', `/v1/sso/connections/${c.id}/sp-keys/${a.id}`, { apiKey: org.apiKey });
    expect(retired.status, retired.text).toBe(200);
    expect(samlSpKeyListSchema.parse(retired.body).keys.map((k) => k.id)).toEqual([b.id]);
    expect((await call('DELETE', `/v1/sso/connections/${c.id}/sp-keys/${a.id}`, { apiKey: org.apiKey })).status).toBe(
      404,
    );
  });

  it('another org and a bad body are refused; the audit trail names the key use, not the key', async () => {
    const org = await signupOrg(service.url);
    const other = await signupOrg(service.url);
    const c = await kitConnection(org, { signAuthnRequests: true });
    const key = keyOf(await keys(org, c.id), 'signing', 'current')!;
    for (const [method, p, json] of [
      ['GET', `/v1/sso/connections/${c.id}/sp-keys`, undefined],
      ['POST', `/v1/sso/connections/${c.id}/sp-keys/rotate`, { use: 'signing' }],
      ['POST', `/v1/sso/connections/${c.id}/sp-keys/promote`, { use: 'signing' }],
      ['DELETE', `/v1/sso/connections/${c.id}/sp-keys/${key.id}`, undefined],
    ] as const) {
      expect((await call(method, p, { apiKey: other.apiKey, ...(json ? { json } : {}) })).status, p).toBe(404);
      expect((await call(method, p, json ? { json } : {})).status, p).toBe(401);
    }
    expect(await keys(org, c.id)).toHaveLength(1);
    const bad = await call('POST', `/v1/sso/connections/${c.id}/sp-keys/rotate`, {
      apiKey: org.apiKey,
      json: { use: 'wrapping' },
    });
    expect(bad.status).toBe(400);
    await call('POST', `/v1/sso/connections/${c.id}/sp-keys/rotate`, {
      apiKey: org.apiKey,
      json: { use: 'encryption' },
    });
    let audit = '';
    for (let i = 0; i < 100 && !audit.includes('spEncryptionKey'); i++) {
      await new Promise((r) => setTimeout(r, 30));
      audit = (await call('GET', `/v1/sso/audit?targetId=${c.id}`, { apiKey: org.apiKey })).text;
    }
    expect(audit).toContain('"changedFields":["spEncryptionKey"]');
    expect(audit).not.toContain('BEGIN');
  });
});

// ---------------------------------------------------------------- encrypted assertions through the real ACS

async function rotate(org: Org, id: string, use: 'signing' | 'encryption') {
  const res = await call('POST', `/v1/sso/connections/${id}/sp-keys/rotate`, { apiKey: org.apiKey, json: { use } });
  expect(res.status, res.text).toBe(201);
  return samlSpKeyListSchema.parse(res.body).keys;
}

/** A login at the connection: its AuthnRequest ID and RelayState. */
async function startLogin(org: Org, id: string) {
  const res = await call('GET', `/sso/login?org=${org.developerId}&connection=${id}`);
  expect(res.status, res.text).toBe(200);
  const url = new URL(ssoLoginResponseSchema.parse(res.body).authorizeUrl);
  const request = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
  return { requestId: /\sID="([^"]+)"/.exec(request)![1]!, relayState: url.searchParams.get('RelayState')! };
}

const acs = (fields: Record<string, string>) => call('POST', '/sso/callback/saml', { form: fields });
const sessionCount = async (org: Org) =>
  ((await call('GET', '/v1/sso/sessions', { apiKey: org.apiKey })).body.sessions as unknown[]).length;

/** Signs in with an assertion encrypted to `encryptTo`; the answer. */
async function encryptedSignIn(org: Org, id: string, opts: Partial<EncryptedResponseOptions> & { encryptTo: string }) {
  const login = await startLogin(org, id);
  const xml = await encryptedResponse({ requestId: login.requestId, ...opts });
  return acs({ SAMLResponse: form(xml), RelayState: login.relayState });
}

function expectSamlRefusal(res: Answer, reasons: SamlReason[]) {
  expect(res.status, res.text).toBe(400);
  const message = String(res.body.message);
  expect(
    reasons.some((r) => message.startsWith(SAML_REASONS[r])),
    `${message} ∉ ${reasons.join(', ')}`,
  ).toBe(true);
  expect(res.text).not.toMatch(/<|&lt;|mallory|alice/i);
}

describe('SAML SP keys: encrypted assertions through POST /sso/callback/saml', () => {
  it('an encryption key is published (use="encryption", GCM first, RSA-OAEP) and an xmlsec1-encrypted assertion signs the member in', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org, { jitProvisioning: true });
    // No key yet: refused as unsupported, no session.
    const before = await encryptedSignIn(org, c.id, { encryptTo: testKeys().other.certificatePem });
    expectSamlRefusal(before, ['encrypted_assertion_unsupported']);
    const a = keyOf(await rotate(org, c.id, 'encryption'), 'encryption', 'current')!;
    const xml = await metadata(c.id);
    expect(xml).toContain('use="encryption"');
    expect(xml).toContain(certBody(a.certificatePem));
    expect(xml.indexOf('xmlenc11#aes256-gcm')).toBeLessThan(xml.indexOf('xmlenc#aes256-cbc'));
    expect(xml).toContain('xmlenc#rsa-oaep-mgf1p');
    expect(xml).not.toContain('rsa-1_5');
    const res = await encryptedSignIn(org, c.id, { encryptTo: a.certificatePem, encryptor: 'xmlsec1' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ sub: ALICE.nameId, email: ALICE.email });
    expect(await sessionCount(org)).toBe(1);
  });

  it('rotation: key A → rotate → both published and both decrypt → promote → A still decrypts → A retired → A refused, B signs in', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org, { jitProvisioning: true });
    const a = keyOf(await rotate(org, c.id, 'encryption'), 'encryption', 'current')!;
    const b = keyOf(await rotate(org, c.id, 'encryption'), 'encryption', 'next')!;
    let xml = await metadata(c.id);
    expect(xml.match(/use="encryption"/g)).toHaveLength(2);
    expect(xml).toContain(certBody(a.certificatePem));
    expect(xml).toContain(certBody(b.certificatePem));
    for (const key of [a, b]) {
      for (const encryptor of ['xmlsec1', 'xml-encryption'] as const) {
        const res = await encryptedSignIn(org, c.id, { encryptTo: key.certificatePem, encryptor });
        expect(res.status, `${key.state} ${encryptor}: ${res.text}`).toBe(200);
      }
    }
    await call('POST', `/v1/sso/connections/${c.id}/sp-keys/promote`, {
      apiKey: org.apiKey,
      json: { use: 'encryption' },
    });
    xml = await metadata(c.id);
    // The previous encryption key stays published and keeps decrypting until it is retired.
    expect(xml.match(/use="encryption"/g)).toHaveLength(2);
    expect((await encryptedSignIn(org, c.id, { encryptTo: a.certificatePem })).status).toBe(200);
    const retired = await call('DELETE', `/v1/sso/connections/${c.id}/sp-keys/${a.id}`, { apiKey: org.apiKey });
    expect(retired.status, retired.text).toBe(200);
    xml = await metadata(c.id);
    expect(xml).not.toContain(certBody(a.certificatePem));
    expect(xml).toContain(certBody(b.certificatePem));
    const sessions = await sessionCount(org);
    const refused = await encryptedSignIn(org, c.id, { encryptTo: a.certificatePem });
    expectSamlRefusal(refused, ['decryption_failed']);
    expect(await sessionCount(org)).toBe(sessions);
    expect((await encryptedSignIn(org, c.id, { encryptTo: b.certificatePem, signResponse: true })).status).toBe(200);
  });

  it('the dev IdP reads the SP metadata: without an encryption key it sends the assertion in clear, with one it encrypts it, and the member signs in', async () => {
    const org = await signupOrg(service.url);
    const res = await call('POST', '/v1/sso/connections', {
      apiKey: org.apiKey,
      json: { name: 'Dev IdP', protocol: 'saml', idpMetadataUrl: idp.saml.metadataUrl, jitProvisioning: true },
    });
    expect(res.status, res.text).toBe(201);
    const c = ssoConnectionSchema.parse(res.body);
    const alice = idp.users.find((u) => u.username === 'alice')!;
    const signIn = async () => {
      const started = await call('GET', `/sso/login?org=${org.developerId}&connection=${c.id}`);
      const { authorizeUrl } = ssoLoginResponseSchema.parse(started.body);
      const post = await loginAtDevSamlIdp(authorizeUrl, { username: 'alice', password: 'alice-password' });
      const xml = Buffer.from(post.samlResponse, 'base64').toString('utf8');
      const answer = await acs({ SAMLResponse: post.samlResponse, RelayState: post.relayState! });
      return { xml, answer };
    };
    const clear = await signIn();
    expect(clear.xml).toContain('<saml:Assertion ');
    expect(clear.answer.status, clear.answer.text).toBe(200);
    await rotate(org, c.id, 'encryption');
    const encrypted = await signIn();
    expect(encrypted.xml).toContain('<saml:EncryptedAssertion>');
    expect(encrypted.xml).not.toContain(alice.email);
    expect(encrypted.answer.status, encrypted.answer.text).toBe(200);
    expect(encrypted.answer.body).toMatchObject({ email: alice.email, sub: alice.sub });
  });

  describe('the XML-encryption attack suite (clear reason, no session, nothing of the XML echoed)', () => {
    let org: Org;
    let connectionId: string;
    let keysOf: { sp: string; other: string };
    beforeAll(async () => {
      org = await signupOrg(service.url);
      connectionId = (await kitConnection(org, { jitProvisioning: true })).id;
      const sp = keyOf(await rotate(org, connectionId, 'encryption'), 'encryption', 'current')!;
      // "Another key": another connection's own encryption key (the other org's).
      const neighbour = await signupOrg(service.url);
      const other = await kitConnection(neighbour);
      const otherKey = keyOf(await rotate(neighbour, other.id, 'encryption'), 'encryption', 'current')!;
      keysOf = { sp: sp.certificatePem, other: otherKey.certificatePem };
    });

    it('the untampered baseline is accepted (so each refusal below is the attack)', async () => {
      const res = await encryptedSignIn(org, connectionId, { encryptTo: keysOf.sp });
      expect(res.status, res.text).toBe(200);
      await call('DELETE', `/v1/sso/sessions/${String(res.body.sessionId)}`, { apiKey: org.apiKey });
    });

    for (const attack of ENCRYPTION_ATTACK_CASES) {
      it(`${attack.name} is refused`, async () => {
        const login = await startLogin(org, connectionId);
        const res = await acs({
          SAMLResponse: await attack.build(login.requestId, keysOf),
          RelayState: login.relayState,
        });
        expectSamlRefusal(res, attack.reasons);
        expect(await sessionCount(org)).toBe(0);
      });
    }

    it('tampered cipher texts (GCM and CBC, padding valid or not), a wrong key and an unsigned plaintext get identical answers', async () => {
      const flip = (at: number) => (d: string) =>
        tamperContent(d, (b) => {
          const i = at < 0 ? b.length + at : at;
          b[i] = b[i]! ^ 0x01;
        });
      const groups: Array<Array<Partial<EncryptedResponseOptions>>> = [
        [
          { tamper: flip(0) },
          { tamper: flip(13) },
          { tamper: flip(-1) },
          { encryptTo: keysOf.other },
          { signAssertion: false },
        ],
        ...[true, false].map((signResponse) =>
          [-17, 20, 0].map((at) => ({
            data: 'aes256-cbc' as const,
            signResponse,
            signAssertion: false,
            tamper: flip(at),
          })),
        ),
      ];
      for (const group of groups) {
        const answers = [];
        for (const variant of group) {
          const res = await encryptedSignIn(org, connectionId, { encryptTo: keysOf.sp, ...variant });
          const { requestId: _ignored, ...rest } = res.body;
          void _ignored;
          answers.push(JSON.stringify({ status: res.status, ...rest }));
        }
        expect(new Set(answers).size, answers[0]).toBe(1);
      }
      expect(await sessionCount(org)).toBe(0);
    });
  });
});

describe('SAML SP keys: rotation is rate-limited (key generation costs CPU)', () => {
  it(`at most ${SP_KEY_ROTATIONS_PER_MIN} rotation requests a minute from one address; other SP-key calls are not counted`, async () => {
    const limitedDir = await mkdtemp(path.join(tmpdir(), 'gx-saml-keys-limited-'));
    const limited = await startLocalSsoService(limitedDir, {
      ...(await testDatabaseOptions()),
      logLevel: 'warn',
      rateLimit: { enabled: true, signupPerMin: 1_000, loginPerMin: 1_000, callbackPerMin: 1_000 },
    });
    try {
      const org = await signupOrg(limited.url);
      const created = await fetch(`${limited.url}/v1/sso/connections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'SAML', protocol: 'saml', ...kitConnectionFields() }),
      });
      const { id } = (await created.json()) as { id: string };
      const rotate = () =>
        fetch(`${limited.url}/v1/sso/connections/${id}/sp-keys/rotate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ use: 'signing' }),
        });
      const statuses: number[] = [];
      for (let i = 0; i < SP_KEY_ROTATIONS_PER_MIN; i++) statuses.push((await rotate()).status);
      // The first makes the key, the second a next key; the rest wait for a promotion (409), all counted.
      expect(statuses.slice(0, 2)).toEqual([201, 201]);
      expect(new Set(statuses.slice(2))).toEqual(new Set([409]));
      expect((await rotate()).status).toBe(429);
      const list = await fetch(`${limited.url}/v1/sso/connections/${id}/sp-keys`, {
        headers: { authorization: `Bearer ${org.apiKey}` },
      });
      expect(list.status).toBe(200);
    } finally {
      await limited.close();
      await rm(limitedDir, { recursive: true, force: true });
    }
  });
});
