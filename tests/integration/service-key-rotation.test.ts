/**
 * Rotating GRANTEX_ENCRYPTION_KEY and GRANTEX_STATE_SECRET without downtime, on the backend the run selects:
 * the key lists in the environment (first seals, all open; errors name the rule, never a value), values sealed
 * in the layouts from before key ids still open, a login started under the old state secret finishes after the
 * switch, and `grantex reseal` moves every stored secret under the new key in small batches, resumes after a stop,
 * never overwrites a value the service changed meanwhile, after which the old key can go and every connection,
 * SP key, webhook secret and stored ID token still works.
 */
import { spawn } from 'node:child_process';
import { verify } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MESSAGES,
  ssoConnectionSchema,
  ssoLoginResponseSchema,
  webhookWithSecretSchema,
  type SsoSamlConnection,
} from '@/lib/contract';
import { loadServiceConfig, ServiceConfigError, startSsoService } from '@/lib/sso-service';
import { createStateSealer } from '@/lib/sso-service/crypto/login-state';
import { createRelayHandles } from '@/lib/sso-service/crypto/relay-handle';
import { createSecretBox, SecretBoxError } from '@/lib/sso-service/crypto/secret-box';
import { resolveServiceKeys } from '@/lib/sso-service/service-keys';
import { resealSecrets } from '@/lib/sso-service/features/key-rotation/reseal';
import { SEALED_COLUMNS, type KeyRotationStore } from '@/lib/sso-service/features/key-rotation/store';
import { openStore, type ServiceStore } from '@/lib/sso-service/storage';
import { legacyLoginState, legacySecretBoxSeal } from '@/tests/support/legacy-sealing';
import { kitConnectionFields } from '@/tests/support/saml-kit';
import { pgTestConfig } from '@/tests/support/test-database';
import { startReceiver, verifyAll, waitFor, type Receiver } from '@/tests/support/webhook-receiver';
import {
  authed,
  json,
  OIDC_CONNECTION,
  saveConfig,
  scriptedRp,
  signup,
  startTestService,
  VALID_CONFIG,
  type ScriptedRp,
  type TestService,
} from './service-harness';

const ROOT = path.resolve(__dirname, '../..');
const KEY_A = Buffer.alloc(32, 21);
const KEY_B = Buffer.alloc(32, 22);
const KEY_C = Buffer.alloc(32, 23);
const KEY_D = Buffer.alloc(32, 24);
const b64 = (k: Buffer) => k.toString('base64url');
const STATE_A = 'state-secret-A-0123456789-abcdefghijklmnopq';
const STATE_B = 'state-secret-B-0123456789-abcdefghijklmnopq';

type Org = { developerId: string; apiKey: string };

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A scripted RP that records, at each redeem, the client secret the service opened for it. */
function recordingRp(): ScriptedRp & { secretsSeen: { clientId: string; clientSecret: string }[] } {
  const rp = Object.assign(scriptedRp(), { secretsSeen: [] as { clientId: string; clientSecret: string }[] });
  rp.redeem = async (cfg, p) => {
    rp.calls.push({ method: 'redeem', args: [cfg, p] });
    rp.secretsSeen.push({ clientId: cfg.clientId, clientSecret: cfg.clientSecret });
    return { sub: 'member-1', email: 'member@example.com', emailVerified: true, name: 'Member', idToken: ID_TOKEN };
  };
  return rp;
}
const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZW1iZXItMSJ9.c2lnbmF0dXJl';

async function service(options: Parameters<typeof startTestService>[0]): Promise<TestService> {
  const svc = await startTestService({
    logLevel: 'warn',
    eventBuffer: { flushMs: 20 },
    webhooks: { pollMs: 20, jitter: 0, timeoutMs: 1000 },
    ...options,
  });
  cleanups.push(() => svc.close());
  return svc;
}

/** A second handle on the service's database, as the `grantex reseal` process has. */
async function secondStore(svc: TestService): Promise<ServiceStore> {
  const store = await openStore({
    dataDir: svc.dataDir,
    postgres: svc.postgresUrl ? pgTestConfig(svc.postgresUrl) : undefined,
  });
  cleanups.push(() => store.close());
  return store;
}

/** Every stored sealed value, by column, with the key id it names. */
async function sealedValues(store: KeyRotationStore) {
  const box = createSecretBox(KEY_A);
  const out: { column: string; rowId: string; sealed: string; kid: string | null }[] = [];
  for (const column of SEALED_COLUMNS) {
    for (const v of await store.listSealedValues(column, null, 10_000)) {
      out.push({ column, rowId: v.rowId, sealed: v.sealed, kid: box.keyIdOf(v.sealed) });
    }
  }
  return out;
}

const call = (svc: TestService, key: string | null, method: string, p: string, body?: unknown) =>
  fetch(
    `${svc.url}${p}`,
    key === null
      ? {
          method,
          ...(body === undefined
            ? {}
            : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        }
      : authed(key, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
  );

async function startLogin(svc: TestService, org: Org, connectionId?: string) {
  const q = `org=${org.developerId}${connectionId ? `&connection=${connectionId}` : ''}`;
  const res = await fetch(`${svc.url}/sso/login?${q}`);
  expect(res.status, await res.clone().text()).toBe(200);
  const body = ssoLoginResponseSchema.parse(await res.json());
  return { body, state: new URL(body.authorizeUrl).searchParams.get('state')! };
}

/** A member sign-in (POST /sso/callback/oidc): the session id, or the error answer. */
async function finish(svc: TestService, state: string) {
  const res = await call(svc, null, 'POST', '/sso/callback/oidc', { code: 'code-1', state });
  return { status: res.status, body: await json(res) };
}

/** Signs in through the connection and returns the client secret the IdP was sent. */
async function signInSecret(svc: TestService, rp: ReturnType<typeof recordingRp>, org: Org, connectionId: string) {
  const { state } = await startLogin(svc, org, connectionId);
  const seen = rp.secretsSeen.length;
  const done = await finish(svc, state);
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  return rp.secretsSeen[seen]!.clientSecret;
}

describe('key lists in the environment', () => {
  it('the single-value forms of before still load, as the key id "default"', async () => {
    const config = loadServiceConfig({ GRANTEX_ENCRYPTION_KEY: b64(KEY_A), GRANTEX_STATE_SECRET: STATE_A });
    expect(config.encryptionKey).toBe(b64(KEY_A));
    // A state secret naming no key id is one secret, taken as written whatever its characters, as it always was.
    const odd = ' a secret, with spaces: commas, and colons 0123456789 ';
    const keys = resolveServiceKeys({
      ...loadServiceConfig({ GRANTEX_STATE_SECRET: odd, GRANTEX_ENCRYPTION_KEY: b64(KEY_A) }),
      devMode: false,
      consoleSecret: 'c'.repeat(40),
    });
    expect(keys.stateSecrets).toEqual([{ id: 'default', value: odd }]);
    expect(keys.encryptionKeys).toEqual([{ id: 'default', value: KEY_A }]);
  });

  it('accepts kid:key lists (a bare entry is "default") and refuses duplicates, bad lengths and bad ids, naming the rule and never the value', () => {
    expect(() =>
      loadServiceConfig({
        GRANTEX_ENCRYPTION_KEY: `2027-01:${b64(KEY_B)},${b64(KEY_A)}`,
        GRANTEX_STATE_SECRET: `s2:${STATE_B},s1:${STATE_A}`,
      }),
    ).not.toThrow();
    const cases: [Record<string, string>, RegExp][] = [
      [
        { GRANTEX_ENCRYPTION_KEY: `k1:${b64(KEY_B)},k1:${b64(KEY_A)}` },
        /GRANTEX_ENCRYPTION_KEY: key id "k1" appears more than once/,
      ],
      [
        { GRANTEX_ENCRYPTION_KEY: `k2:${b64(KEY_B)},${b64(KEY_A)},default:${b64(KEY_C)}` },
        /key id "default" appears more than once/,
      ],
      [
        { GRANTEX_ENCRYPTION_KEY: `k2:${b64(KEY_B)},old:${b64(KEY_A).slice(0, 20)}` },
        /entry 2 \(key id "old"\) must be 32 bytes/,
      ],
      [{ GRANTEX_ENCRYPTION_KEY: b64(KEY_A).slice(0, 30) }, /GRANTEX_ENCRYPTION_KEY: the key must be 32 bytes/],
      [{ GRANTEX_ENCRYPTION_KEY: `k 2:${b64(KEY_B)},${b64(KEY_A)}` }, /entry 1 has an invalid key id/],
      [{ GRANTEX_ENCRYPTION_KEY: `k2:${b64(KEY_B)},,${b64(KEY_A)}` }, /entry 2 is empty/],
      [
        { GRANTEX_STATE_SECRET: `s2:${STATE_B},s1:too-short` },
        /GRANTEX_STATE_SECRET: entry 2 \(key id "s1"\) must be at least 32 characters/,
      ],
      [
        { GRANTEX_STATE_SECRET: `s2:${STATE_B},s2:${STATE_A}` },
        /GRANTEX_STATE_SECRET: key id "s2" appears more than once/,
      ],
    ];
    for (const [env, message] of cases) {
      const err = (() => {
        try {
          loadServiceConfig(env);
          return null;
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err, JSON.stringify(Object.keys(env))).toBeInstanceOf(ServiceConfigError);
      expect(err!.message).toMatch(message);
      for (const secret of [b64(KEY_A), b64(KEY_B), b64(KEY_C), b64(KEY_A).slice(0, 20), STATE_A, STATE_B]) {
        expect(err!.message).not.toContain(secret);
      }
    }
  });

  it('a service given a bad list by hand refuses to start, naming the variable and not the key', async () => {
    const err = await startSsoService({
      host: '127.0.0.1',
      port: 0,
      devMode: false,
      logger: () => {},
      stateSecret: STATE_A,
      encryptionKey: `new:${b64(KEY_B)},new:${b64(KEY_A)}`,
      consoleSecret: 'c'.repeat(40),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceConfigError);
    expect((err as Error).message).toContain('GRANTEX_ENCRYPTION_KEY: key id "new" appears more than once');
    expect((err as Error).message).not.toContain(b64(KEY_B));
  });
});

describe('the secret box with several keys', () => {
  it('opens a value sealed in the layout from before key ids with any configured key; new values name the first key', () => {
    const legacy = legacySecretBoxSeal(KEY_A, 'client-secret', 'dev_1');
    const rotated = createSecretBox([
      { id: 'new', value: KEY_B },
      { id: 'default', value: KEY_A },
    ]);
    expect(rotated.keyIdOf(legacy)).toBeNull();
    expect(rotated.open(legacy, 'dev_1')).toBe('client-secret');
    expect(createSecretBox(KEY_A).open(legacy, 'dev_1')).toBe('client-secret');
    // Still bound to its owner, and no other key opens it.
    expect(() => rotated.open(legacy, 'dev_2')).toThrow(SecretBoxError);
    expect(() => createSecretBox(KEY_B).open(legacy, 'dev_1')).toThrow('ciphertext failed authentication');

    const sealed = rotated.seal('client-secret', 'dev_1');
    expect(rotated.keyIdOf(sealed)).toBe('new');
    expect(createSecretBox([{ id: 'new', value: KEY_B }]).open(sealed, 'dev_1')).toBe('client-secret');
    // The old key alone cannot open it, and the error names the key id only.
    const err = (() => {
      try {
        createSecretBox(KEY_A).open(sealed, 'dev_1');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toBe('sealed under key id "new", which is not configured');
  });

  it('a value cannot be moved under another configured key id (the key id is authenticated)', () => {
    // Two key ids for the same key: if the id were not authenticated, relabelling would still open.
    const box = createSecretBox([
      { id: 'aa', value: KEY_A },
      { id: 'bb', value: KEY_A },
    ]);
    const raw = Buffer.from(box.seal('secret', 'dev_1'), 'base64url');
    expect(raw.subarray(2, 4).toString()).toBe('aa');
    raw.write('bb', 2, 'latin1');
    const relabelled = raw.toString('base64url');
    expect(box.keyIdOf(relabelled)).toBe('bb');
    expect(() => box.open(relabelled, 'dev_1')).toThrow('ciphertext failed authentication');
  });

  it('SAML RelayState handles minted under the old state secret verify while it is listed, and not after', () => {
    const handle = createRelayHandles(STATE_A).mint();
    expect(
      createRelayHandles([
        { id: 'b', value: STATE_B },
        { id: 'default', value: STATE_A },
      ]).verify(handle),
    ).toBe(true);
    expect(createRelayHandles([{ id: 'b', value: STATE_B }]).verify(handle)).toBe(false);
  });
});

describe('rotating the state secret: logins in flight', () => {
  let svc: TestService;
  let rp: ReturnType<typeof recordingRp>;
  let org: Org;
  beforeAll(async () => {
    rp = recordingRp();
    svc = await service({ stateSecret: STATE_A, encryptionKey: b64(KEY_A), relyingParty: rp, logLevel: 'info' });
    org = await signup(svc.url);
    expect((await saveConfig(svc.url, org.apiKey)).status).toBe(201);
  });

  it('a login started under secret A finishes after the service restarts with [B, A]; once A is removed, A-states are refused without reaching the IdP', async () => {
    const startedBefore = await startLogin(svc, org);
    const secondBefore = await startLogin(svc, org);
    const thirdBefore = await startLogin(svc, org);
    // A state sealed by the code from before key ids (version 2), for the same connection.
    const iat = Math.floor(Date.now() / 1000);
    const legacy = legacyLoginState(STATE_A, {
      sid: 'legacy-state-0123456789',
      dev: org.developerId,
      con: startedBefore.body.connectionId,
      nonce: 'n'.repeat(43),
      cv: 'v'.repeat(43),
      iat,
      exp: iat + 600,
    });

    await svc.restart({ stateSecret: `b:${STATE_B},${STATE_A}` });
    // Each process says which key ids it runs with (never the keys), so an operator can check a step is deployed.
    const listening = svc.lines.filter((l) => l.includes('grantex sso service listening')).at(-1)!;
    expect(JSON.parse(listening)).toMatchObject({ stateSecretIds: ['b', 'default'], encryptionKeyIds: ['default'] });
    expect((await finish(svc, startedBefore.state)).status).toBe(200);
    expect((await finish(svc, legacy)).status).toBe(200);
    const startedDuring = await startLogin(svc, org);
    // The new state names the new key id.
    const raw = Buffer.from(startedDuring.state, 'base64url');
    expect([raw[0], raw.subarray(2, 2 + raw[1]!).toString()]).toEqual([3, 'b']);

    // Before the first restart was A-only: every A-state still opens under [B, A] on a second restart too.
    await svc.restart({ stateSecret: `b:${STATE_B},${STATE_A}` });
    expect((await finish(svc, secondBefore.state)).status).toBe(200);

    await svc.restart({ stateSecret: `b:${STATE_B}` });
    const redeems = rp.secretsSeen.length;
    const refused = await finish(svc, thirdBefore.state);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe(MESSAGES.invalidState);
    expect(rp.secretsSeen.length).toBe(redeems);
    expect((await finish(svc, startedDuring.state)).status).toBe(200);
    for (const line of svc.lines) {
      for (const secret of [STATE_A, STATE_B, b64(KEY_A)]) expect(line).not.toContain(secret);
    }
  });

  it('a state sealed under B does not open under A alone (the key id does not let a state pick its key)', () => {
    const { token } = createStateSealer([{ id: 'default', value: STATE_B }]).issue('dev_1', 'conn_1');
    // Same key id, other secret: refused.
    expect(createStateSealer(STATE_A).open(token)).toBeNull();
    expect(createStateSealer(STATE_B).open(token)).not.toBeNull();
  });
});

describe('grantex reseal', () => {
  let svc: TestService;
  let rp: ReturnType<typeof recordingRp>;
  const orgs: Org[] = [];
  /** Every OIDC connection with the client secret it was given. */
  const oidc: { org: Org; id: string; secret: string }[] = [];
  let saml: { org: Org; connection: SsoSamlConnection };
  let webhook: { org: Org; id: string; secret: string; previous: string };
  let rx: Receiver;
  let memberSession: { org: Org; sessionId: string };

  beforeAll(async () => {
    rp = recordingRp();
    // Today's configuration: one key, in the single-value form.
    svc = await service({ stateSecret: STATE_A, encryptionKey: b64(KEY_A), relyingParty: rp });
    rx = await startReceiver();
    cleanups.push(() => rx.close());
    for (let o = 0; o < 2; o++) {
      const org = await signup(svc.url);
      orgs.push(org);
      expect((await saveConfig(svc.url, org.apiKey, { ...VALID_CONFIG, clientSecret: `legacy-${o}` })).status).toBe(
        201,
      );
      const listed = (await json(await call(svc, org.apiKey, 'GET', '/v1/sso/connections'))) as {
        connections: { id: string }[];
      };
      oidc.push({ org, id: listed.connections[0]!.id, secret: `legacy-${o}` });
      for (let i = 0; i < 3; i++) {
        const secret = `secret-${o}-${i}`;
        const res = await call(svc, org.apiKey, 'POST', '/v1/sso/connections', {
          ...OIDC_CONNECTION,
          name: `OIDC ${i}`,
          clientId: `client-${o}-${i}`,
          clientSecret: secret,
        });
        expect(res.status, await res.clone().text()).toBe(201);
        oidc.push({ org, id: ssoConnectionSchema.parse(await res.json()).id, secret });
      }
    }
    const samlRes = await call(svc, orgs[0]!.apiKey, 'POST', '/v1/sso/connections', {
      name: 'SAML',
      protocol: 'saml',
      ...kitConnectionFields(),
      signAuthnRequests: true,
    });
    expect(samlRes.status, await samlRes.clone().text()).toBe(201);
    saml = { org: orgs[0]!, connection: ssoConnectionSchema.parse(await samlRes.json()) as SsoSamlConnection };

    const created = webhookWithSecretSchema.parse(
      await (await call(svc, orgs[1]!.apiKey, 'POST', '/v1/webhooks', { url: rx.url, events: ['*'] })).json(),
    );
    const rotated = webhookWithSecretSchema.parse(
      await (
        await call(svc, orgs[1]!.apiKey, 'POST', `/v1/webhooks/${created.id}/rotate-secret`, { overlapSeconds: 3600 })
      ).json(),
    );
    webhook = { org: orgs[1]!, id: created.id, secret: rotated.secret, previous: created.secret };

    // A member session keeps its ID token sealed for the logout's id_token_hint.
    const { state } = await startLogin(svc, orgs[1]!, oidc[4]!.id);
    const done = await finish(svc, state);
    expect(done.status).toBe(200);
    memberSession = { org: orgs[1]!, sessionId: String(done.body.sessionId) };

    // One connection's secret as the code from before key ids sealed it.
    const store = await secondStore(svc);
    const [first] = await store.listSealedValues('sso_connections.secret_enc', null, 1);
    const target = oidc.find((c) => c.id === first!.rowId)!;
    const legacy = legacySecretBoxSeal(KEY_A, target.secret, target.org.developerId);
    expect(await store.replaceSealedValue('sso_connections.secret_enc', first!.rowId, first!.sealed, legacy)).toBe(
      true,
    );
  });

  it('re-seals in batches, resumes after a stop, skips what is done, and the old key can then be removed', async () => {
    const before = await sealedValues(await secondStore(svc));
    // 8 client secrets, 1 SP key, 2 webhook secrets, 1 ID token; one in the layout from before key ids.
    expect(before.map((v) => v.column).sort()).toEqual(
      [
        ...Array(8).fill('sso_connections.secret_enc'),
        'saml_sp_keys.private_key_enc',
        'sso_session_logout.id_token_sealed',
        'webhook_endpoints.previous_secret_sealed',
        'webhook_endpoints.secret_sealed',
      ].sort(),
    );
    expect(before.filter((v) => v.kid === null)).toHaveLength(1);
    expect(before.filter((v) => v.kid === 'default')).toHaveLength(11);

    // Deploy the new key first (it seals), the old one still listed (it opens).
    const rotatedKeys = `k2:${b64(KEY_B)},${b64(KEY_A)}`;
    await svc.restart({ encryptionKey: rotatedKeys });
    for (const c of oidc) expect(await signInSecret(svc, rp, c.org, c.id)).toBe(c.secret);
    const box = createSecretBox([
      { id: 'k2', value: KEY_B },
      { id: 'default', value: KEY_A },
    ]);
    // The sign-ins above sealed their members' ID tokens under k2 already.
    const sealedByService = (await sealedValues(await secondStore(svc))).filter((v) => v.kid === 'k2').length;
    expect(sealedByService).toBe(oidc.length);

    // The first run stops after 5 rows (batches of 2), as a job killed midway would.
    const first = await resealSecrets({ store: await secondStore(svc), secretBox: box }, { batchSize: 2, maxRows: 5 });
    expect(first).toMatchObject({ currentKeyId: 'k2', stoppedEarly: true, failures: [] });
    expect(first.total).toMatchObject({ resealed: 5, failed: 0, changedMeanwhile: 0 });
    const midway = await sealedValues(await secondStore(svc));
    expect(midway.filter((v) => v.kid === 'k2')).toHaveLength(sealedByService + 5);

    // Run again on a fresh process' handle: it picks up where the data says, without state of its own.
    const second = await resealSecrets({ store: await secondStore(svc), secretBox: box }, { batchSize: 2 });
    expect(second.stoppedEarly).toBe(false);
    expect(second.total).toEqual({
      scanned: midway.length,
      resealed: midway.length - sealedByService - 5,
      alreadyCurrent: sealedByService + 5,
      changedMeanwhile: 0,
      failed: 0,
    });
    const after = await sealedValues(await secondStore(svc));
    expect(after.every((v) => v.kid === 'k2')).toBe(true);
    expect((await resealSecrets({ store: await secondStore(svc), secretBox: box })).total.resealed).toBe(0);

    // Remove the old key: everything still works.
    await svc.restart({ encryptionKey: `k2:${b64(KEY_B)}` });
    for (const c of oidc) expect(await signInSecret(svc, rp, c.org, c.id)).toBe(c.secret);

    const keys = (await json(
      await call(svc, saml.org.apiKey, 'GET', `/v1/sso/connections/${saml.connection.id}/sp-keys`),
    )) as { keys: { certificatePem: string; state: string; use: string }[] };
    const cert = keys.keys.find((k) => k.use === 'signing' && k.state === 'current')!.certificatePem;
    const samlLogin = await startLogin(svc, saml.org, saml.connection.id);
    const url = new URL(samlLogin.body.authorizeUrl);
    const parts = url.search.slice(1).split('&');
    const part = (n: string) => parts.find((p) => p.startsWith(`${n}=`));
    const signed = [part('SAMLRequest'), part('RelayState'), part('SigAlg')].join('&');
    expect(verify('sha256', Buffer.from(signed), cert, Buffer.from(url.searchParams.get('Signature')!, 'base64'))).toBe(
      true,
    );

    // The webhook's current and previous secrets both still sign (the overlap is still on).
    const domain = await call(svc, webhook.org.apiKey, 'POST', '/v1/sso/domains', { domain: 'rotated.example.com' });
    expect(domain.status).toBe(201);
    const delivery = await waitFor(() => rx.received.find((r) => r.body.includes('rotated.example.com')));
    expect(verifyAll(webhook.secret, delivery).standardSpec).toBe(true);
    expect(verifyAll(webhook.previous, delivery).standardSpec).toBe(true);

    // The stored ID token still opens: the IdP logout URL carries it as id_token_hint.
    rp.calls.length = 0;
    const out = await call(svc, null, 'POST', '/sso/sessions/logout', {
      developerId: memberSession.org.developerId,
      sessionId: memberSession.sessionId,
    });
    expect(out.status).toBe(200);
    const endSession = rp.calls.find((c) => c.method === 'endSessionUrl');
    expect((endSession?.args[1] as { idTokenHint?: string }).idTokenHint).toBe(ID_TOKEN);
  });

  it('never overwrites a value the service rewrote between the read and the write', async () => {
    const target = oidc[1]!;
    await svc.restart({ encryptionKey: `k3:${b64(KEY_C)},k2:${b64(KEY_B)}` });
    const store = await secondStore(svc);
    // Between the job's read and its write, an admin saves a new client secret for this connection.
    let raced = false;
    const racing: KeyRotationStore = {
      async listSealedValues(column, after, limit) {
        const rows = await store.listSealedValues(column, after, limit);
        if (!raced && column === 'sso_connections.secret_enc' && rows.some((r) => r.rowId === target.id)) {
          raced = true;
          const res = await call(svc, target.org.apiKey, 'PATCH', `/v1/sso/connections/${target.id}`, {
            clientSecret: 'saved-during-reseal',
          });
          expect(res.status, await res.clone().text()).toBe(200);
        }
        return rows;
      },
      replaceSealedValue: (...args) => store.replaceSealedValue(...args),
    };
    const box = createSecretBox([
      { id: 'k3', value: KEY_C },
      { id: 'k2', value: KEY_B },
    ]);
    const report = await resealSecrets({ store: racing, secretBox: box });
    expect(raced).toBe(true);
    expect(report.columns['sso_connections.secret_enc'].changedMeanwhile).toBe(1);
    expect(report.total.failed).toBe(0);
    // The re-seal of the old secret did not win: the IdP gets the secret saved meanwhile.
    expect(await signInSecret(svc, rp, target.org, target.id)).toBe('saved-during-reseal');
    target.secret = 'saved-during-reseal';
  });

  it('`npm run grantex -- reseal` reports counts and key ids, never a key, and names rows it cannot open', async () => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      GRANTEX_DEV_MODE: 'true',
      GRANTEX_DATA_DIR: svc.dataDir,
      GRANTEX_STATE_SECRET: STATE_A,
      ...(svc.postgresUrl ? { DATABASE_URL: svc.postgresUrl } : {}),
    };
    const run = (encryptionKey: string, ...args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const script = path.join(ROOT, 'scripts/grantex.ts');
        const child = spawn(process.execPath, ['--import', 'tsx', script, 'reseal', ...args], {
          cwd: ROOT,
          env: { NODE_ENV: 'test', ...env, GRANTEX_ENCRYPTION_KEY: encryptionKey },
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) => resolve({ code, out }));
      });
    // k4 alone: the rows still under k3 cannot be opened; they are named, the job fails, nothing is lost.
    const missing = await run(`k4:${b64(KEY_D)}`);
    expect(missing.code, missing.out).toBe(1);
    expect(missing.out).toMatch(
      /cannot open sso_connections\.secret_enc of row \S+: sealed under key id "k3", which is not configured/,
    );
    // Stopped after 3 rows (in batches of 2), then run again: it goes on from what the data says.
    const part = await run(`k4:${b64(KEY_D)},k3:${b64(KEY_C)}`, '--batch-size', '2', '--max-rows', '3');
    expect(part.code, part.out).toBe(0);
    expect(part.out).toMatch(
      /total: 3 re-sealed under "k4", 0 already, 0 changed meanwhile, 0 failed \(stopped at --max-rows/,
    );
    const done = await run(`k4:${b64(KEY_D)},k3:${b64(KEY_C)}`);
    expect(done.code, done.out).toBe(0);
    expect(done.out).toMatch(/total: \d+ re-sealed under "k4", 3 already, 0 changed meanwhile, 0 failed/);
    expect(done.out).toContain('every stored secret is sealed under "k4"');
    for (const out of [missing.out, part.out, done.out]) {
      for (const k of [KEY_A, KEY_B, KEY_C, KEY_D]) expect(out).not.toContain(b64(k));
      expect(out).not.toContain('secret-0-');
    }
    expect((await sealedValues(await secondStore(svc))).every((v) => v.kid === 'k4')).toBe(true);
    await svc.restart({ encryptionKey: `k4:${b64(KEY_D)}` });
    for (const c of oidc) expect(await signInSecret(svc, rp, c.org, c.id)).toBe(c.secret);
  }, 120_000); // four command runs, each starting tsx: slow on a loaded machine
  it('two re-seal jobs at once (two processes) re-seal each row exactly once', async () => {
    const KEY_E = Buffer.alloc(32, 25);
    await svc.restart({ encryptionKey: `k5:${b64(KEY_E)},k4:${b64(KEY_D)}` });
    const box = createSecretBox([
      { id: 'k5', value: KEY_E },
      { id: 'k4', value: KEY_D },
    ]);
    const pending = (await sealedValues(await secondStore(svc))).filter((v) => v.kid !== 'k5').length;
    expect(pending).toBeGreaterThan(20);
    const [one, two] = await Promise.all([
      resealSecrets({ store: await secondStore(svc), secretBox: box }, { batchSize: 1 }),
      resealSecrets({ store: await secondStore(svc), secretBox: box }, { batchSize: 1 }),
    ]);
    expect(one.total.failed + two.total.failed).toBe(0);
    expect(one.total.resealed + two.total.resealed).toBe(pending);
    expect((await sealedValues(await secondStore(svc))).every((v) => v.kid === 'k5')).toBe(true);
    await svc.restart({ encryptionKey: `k5:${b64(KEY_E)}` });
    for (const c of oidc) expect(await signInSecret(svc, rp, c.org, c.id)).toBe(c.secret);
  });
});

describe('what the re-seal covers', () => {
  it('every sealed column of the schema is one the re-seal walks', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gx-sealed-'));
    const store = await openStore({ dataDir });
    await store.close();
    const db = new Database(path.join(dataDir, 'grantex.db'), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      const sealed = tables.flatMap(({ name }) =>
        (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as { name: string }[])
          .filter((c) => /(_enc|_sealed)$/.test(c.name))
          .map((c) => `${name}.${c.name}`),
      );
      // A new sealed column must be added to SEALED_COLUMNS, or the old key could never be removed.
      expect(sealed.sort()).toEqual([...SEALED_COLUMNS].sort());
    } finally {
      db.close();
    }
  });

  it('every place that seals with the secret box stores into a walked column or is short-lived', () => {
    const root = path.join(ROOT, 'lib/sso-service/features');
    const sealing = readdirSync(root, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts') && /secretBox\.seal\(/.test(readFileSync(path.join(root, f), 'utf8')))
      .sort();
    // Each file and what it seals; a new one needs its column in SEALED_COLUMNS (or a reason it is short-lived).
    expect(sealing).toEqual([
      'connections/legacy-config.ts', // sso_connections.secret_enc
      'connections/service.ts', // sso_connections.secret_enc
      'key-rotation/reseal.ts', // the re-seal itself
      'logout/keys.ts', // sso_session_logout.id_token_sealed
      'logout/service.ts', // the SAML logout RelayState: lives for the IdP's round trip, never stored
      'sp-keys/service.ts', // saml_sp_keys.private_key_enc
      'webhooks/service.ts', // webhook_endpoints.secret_sealed (previous_secret_sealed is the old secret_sealed)
    ]);
  });
});
