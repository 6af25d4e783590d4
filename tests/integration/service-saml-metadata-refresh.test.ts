/**
 * SAML connections' IdP metadata refreshed from its URL (features/connections/metadata-refresh.ts) on the real
 * service, SQLite and PostgreSQL (GRANTEX_TEST_DATABASE_URL), against a real HTTP server on loopback serving the
 * metadata (development mode allows loopback metadata URLs): a certificate rollover picked up before the switch
 * (the new certificate added, responses signed by either verify, then the old one removed), a failed fetch keeps
 * the certificates and records the failure, an entity ID change is not applied but warned about, more certificates
 * than the model keeps, the audit trail, "refresh now" authorisation, and the scheduled refresh claimed by one of
 * two services sharing the database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEventListSchema,
  ssoConnectionSchema,
  ssoLoginResponseSchema,
  ssoMetadataRefreshResponseSchema,
  type SsoSamlConnection,
} from '@/lib/contract';
import { generateSigningKey, type SamlSigningKey } from '@/lib/dev-idp/saml/keys';
import type { RunningSsoService } from '@/lib/sso-service';
import { certificateInfo, SAML_REASONS } from '@/lib/sso-service/saml';
import {
  ACS_URL,
  form,
  IDP_ENTITY_ID,
  OTHER_IDP_ENTITY_ID,
  signedResponse,
  SP_ENTITY_ID,
  testKeys,
} from '@/tests/support/saml-kit';
import { requestParts, signupOrg, startLocalSsoService } from '@/tests/support/stack';
import { testDatabaseOptions } from '@/tests/support/test-database';

const SSO_URL = 'https://idp.example.test/saml/sso';
const HOUR = 3600_000;

/** The IdP's metadata server: what it serves can be changed, and it counts the fetches. */
interface MetadataServer {
  url: string;
  serve(body: string, status?: number): void;
  fetches(): number;
  close(): Promise<void>;
}

async function startMetadataServer(): Promise<MetadataServer> {
  let body = '';
  let status = 200;
  let count = 0;
  const server: Server = createServer((req, res) => {
    count++;
    res.writeHead(status, { 'content-type': 'application/samlmetadata+xml' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/federationmetadata.xml`,
    serve(next, nextStatus = 200) {
      body = next;
      status = nextStatus;
    },
    fetches: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** IdP metadata listing each certificate as a signing KeyDescriptor, as AD FS does during a rollover. */
function metadata(certificates: SamlSigningKey[], opts: { entityId?: string; ssoUrl?: string } = {}): string {
  const keys = certificates
    .map((k) => k.certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''))
    .map(
      (body) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${opts.entityId ?? IDP_ENTITY_ID}">` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys}` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${opts.ssoUrl ?? SSO_URL}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

let dataDir: string;
let service: RunningSsoService;
let old: SamlSigningKey;
/** The IdP's next certificate: valid longer than the current one (so it is the newer of the two). */
let next: SamlSigningKey;
let third: SamlSigningKey;
const fingerprint = (k: SamlSigningKey) => certificateInfo(k.certificatePem).fingerprintSha256;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gx-saml-refresh-'));
  old = testKeys().idp;
  next = generateSigningKey('Test IdP (next)', 730);
  third = generateSigningKey('Test IdP (after next)', 1095);
  // Scheduled runs far apart: these tests drive "refresh now"; the last describe runs the schedule.
  service = await startLocalSsoService(dataDir, {
    ...(await testDatabaseOptions()),
    eventBuffer: { flushMs: 20 },
    metadataRefresh: { runMs: 3_600_000 },
  });
});
afterAll(async () => {
  await service?.close();
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
  opts: { apiKey?: string; json?: unknown; form?: Record<string, string>; base?: string } = {},
): Promise<Answer> {
  const { headers, body } = requestParts(opts);
  const res = await fetch(`${opts.base ?? service.url}${urlPath}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, text, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

type Org = Awaited<ReturnType<typeof signupOrg>>;

async function createFromUrl(org: Org, url: string, base = service.url): Promise<SsoSamlConnection> {
  const res = await call('POST', '/v1/sso/connections', {
    base,
    apiKey: org.apiKey,
    json: { name: 'AD FS', protocol: 'saml', idpMetadataUrl: url, spEntityId: SP_ENTITY_ID, spAcsUrl: ACS_URL },
  });
  expect(res.status, res.text).toBe(201);
  const parsed = ssoConnectionSchema.parse(res.body);
  if (parsed.protocol !== 'saml') throw new Error('not saml');
  return parsed;
}

async function refreshNow(org: Org, id: string) {
  const res = await call('POST', `/v1/sso/connections/${id}/metadata/refresh`, { apiKey: org.apiKey });
  expect(res.status, res.text).toBe(200);
  return ssoMetadataRefreshResponseSchema.parse(res.body);
}

async function read(org: Org, id: string, base = service.url): Promise<SsoSamlConnection> {
  const parsed = ssoConnectionSchema.parse(
    (await call('GET', `/v1/sso/connections/${id}`, { apiKey: org.apiKey, base })).body,
  );
  if (parsed.protocol !== 'saml') throw new Error('not saml');
  return parsed;
}

/** A member sign-in whose assertion is signed with `key`: the status and whether a session was opened. */
async function signInSignedBy(org: Org, id: string, key: SamlSigningKey) {
  const login = ssoLoginResponseSchema.parse(
    (await call('GET', `/sso/login?org=${org.developerId}&connection=${id}`)).body,
  );
  const url = new URL(login.authorizeUrl);
  const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
  const requestId = /\sID="([^"]+)"/.exec(xml)![1]!;
  const res = await call('POST', '/sso/callback/saml', {
    form: { SAMLResponse: form(signedResponse({ requestId, key })), RelayState: url.searchParams.get('RelayState')! },
  });
  return { status: res.status, message: String(res.body.message ?? ''), sessionId: res.body.sessionId };
}

async function auditOf(org: Org, id: string, count: number, base = service.url) {
  for (let i = 0; i < 100; i++) {
    const res = await call('GET', '/v1/sso/audit', { apiKey: org.apiKey, base });
    const events = auditEventListSchema.parse(res.body).events.filter((e) => e.target.id === id);
    if (events.length >= count) return events;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error('audit entries missing');
}

describe('IdP metadata refresh: certificate rollover', () => {
  it('adds the next certificate before the switch (either verifies), then drops the old one once the metadata no longer lists it', async () => {
    const idp = await startMetadataServer();
    try {
      idp.serve(metadata([old]));
      const org = await signupOrg(service.url);
      const c = await createFromUrl(org, idp.url);
      expect(c.idpCertificates.map((x) => x.fingerprintSha256)).toEqual([fingerprint(old)]);
      expect((await signInSignedBy(org, c.id, next)).status).toBe(400);

      // The IdP publishes its next certificate beside the current one.
      idp.serve(metadata([old, next]));
      const added = await refreshNow(org, c.id);
      expect(added).toMatchObject({ result: 'updated', changedFields: ['idpCertificates'] });
      expect(added.connection.idpCertificates.map((x) => x.fingerprintSha256)).toEqual([
        fingerprint(old),
        fingerprint(next),
      ]);
      expect(added.connection.idpMetadataRefresh).toMatchObject({ lastResult: 'updated', error: null, warnings: [] });
      for (const key of [old, next]) {
        const signIn = await signInSignedBy(org, c.id, key);
        expect(signIn.status, signIn.message).toBe(200);
        expect(signIn.sessionId).toEqual(expect.any(String));
      }

      // Nothing new: unchanged, and no audit entry.
      expect(await refreshNow(org, c.id)).toMatchObject({ result: 'unchanged', changedFields: [] });

      // The switch: the metadata lists only the next certificate; the old one goes.
      idp.serve(metadata([next]));
      const switched = await refreshNow(org, c.id);
      expect(switched).toMatchObject({ result: 'updated', changedFields: ['idpCertificates'] });
      expect(switched.connection.idpCertificates.map((x) => x.fingerprintSha256)).toEqual([fingerprint(next)]);
      const byOld = await signInSignedBy(org, c.id, old);
      expect(byOld.status).toBe(400);
      expect(byOld.sessionId).toBeUndefined();
      expect((await signInSignedBy(org, c.id, next)).status).toBe(200);

      // The audit trail: creation, then the two certificate changes by the key that asked (values never stored).
      const audit = await auditOf(org, c.id, 3);
      const updates = audit.filter((e) => e.action === 'connection.updated');
      expect(updates).toHaveLength(2);
      for (const e of updates) {
        expect(e.changedFields).toEqual(['idpCertificates']);
        expect(e.actor.kind).toBe('api_key');
      }
      expect(JSON.stringify(audit)).not.toContain('BEGIN CERTIFICATE');
    } finally {
      await idp.close();
    }
  });

  it('a complete switch in one refresh replaces the certificate; an SSO URL change is applied; more than two: the one in use is kept', async () => {
    const idp = await startMetadataServer();
    try {
      idp.serve(metadata([old]));
      const org = await signupOrg(service.url);
      const c = await createFromUrl(org, idp.url);
      // Three valid certificates listed: the one in use stays, the newest other fills the room, a warning says so.
      idp.serve(metadata([old, next, third], { ssoUrl: 'https://idp.example.test/saml/sso2' }));
      const crowded = await refreshNow(org, c.id);
      expect(crowded.result).toBe('updated');
      expect(crowded.changedFields.sort()).toEqual(['idpCertificates', 'idpSsoUrl']);
      expect(crowded.connection.idpSsoUrl).toBe('https://idp.example.test/saml/sso2');
      expect(crowded.connection.idpCertificates.map((x) => x.fingerprintSha256)).toEqual([
        fingerprint(old),
        fingerprint(third),
      ]);
      expect(crowded.connection.idpMetadataRefresh?.warnings).toEqual(['certificates_over_limit']);
      // The IdP drops the old one: it goes, the remaining one comes in.
      idp.serve(metadata([next, third], { ssoUrl: 'https://idp.example.test/saml/sso2' }));
      const after = await refreshNow(org, c.id);
      expect(after.connection.idpCertificates.map((x) => x.fingerprintSha256).sort()).toEqual(
        [fingerprint(next), fingerprint(third)].sort(),
      );
      expect(after.connection.idpMetadataRefresh?.warnings).toEqual([]);
      // An SSO URL that breaks the URL rules (plain http off loopback) is not applied.
      idp.serve(metadata([next, third], { ssoUrl: 'http://idp.example.test/saml/sso' }));
      const refused = await refreshNow(org, c.id);
      expect(refused.result).toBe('unchanged');
      expect(refused.connection.idpSsoUrl).toBe('https://idp.example.test/saml/sso2');
      expect(refused.connection.idpMetadataRefresh?.warnings).toEqual(['sso_url_refused']);
    } finally {
      await idp.close();
    }
  });
});

describe('IdP metadata refresh: failures and warnings never drop certificates', () => {
  it('a failed fetch or unreadable metadata keeps the certificates, records the failure and keeps the last success', async () => {
    const idp = await startMetadataServer();
    try {
      idp.serve(metadata([old, next]));
      const org = await signupOrg(service.url);
      const c = await createFromUrl(org, idp.url);
      const ok = await refreshNow(org, c.id);
      const lastRefreshedAt = ok.connection.idpMetadataRefresh?.lastRefreshedAt;
      expect(lastRefreshedAt).toEqual(expect.any(String));

      for (const [body, status, code] of [
        ['', 500, 'metadata_fetch_failed'],
        ['<not-metadata/>', 200, 'invalid_metadata'],
        [metadata([]), 200, 'invalid_metadata'],
      ] as const) {
        idp.serve(body, status);
        const failed = await refreshNow(org, c.id);
        expect(failed).toMatchObject({ result: 'failed', changedFields: [] });
        expect(failed.connection.idpCertificates).toHaveLength(2);
        const stored = await read(org, c.id);
        expect(stored.idpCertificates.map((x) => x.fingerprintSha256)).toEqual([fingerprint(old), fingerprint(next)]);
        expect(stored.idpMetadataRefresh).toMatchObject({
          lastResult: 'failed',
          lastRefreshedAt,
          error: { code, message: SAML_REASONS[code] },
        });
        // Retried within the hour, not a whole interval later.
        expect(Date.parse(stored.idpMetadataRefresh!.nextRefreshAt!) - Date.now()).toBeLessThan(1.2 * HOUR);
        expect((await signInSignedBy(org, c.id, old)).status).toBe(200);
      }
    } finally {
      await idp.close();
    }
  });

  it('an entity ID change is not applied, nor anything else from that metadata; the admin is warned', async () => {
    const idp = await startMetadataServer();
    try {
      idp.serve(metadata([old]));
      const org = await signupOrg(service.url);
      const c = await createFromUrl(org, idp.url);
      // Whoever now controls the URL serves another entity with its own key.
      idp.serve(metadata([testKeys().other], { entityId: OTHER_IDP_ENTITY_ID, ssoUrl: 'https://evil.example/sso' }));
      const res = await refreshNow(org, c.id);
      expect(res).toMatchObject({ result: 'unchanged', changedFields: [] });
      const stored = await read(org, c.id);
      expect(stored).toMatchObject({ idpEntityId: IDP_ENTITY_ID, idpSsoUrl: SSO_URL });
      expect(stored.idpCertificates.map((x) => x.fingerprintSha256)).toEqual([fingerprint(old)]);
      expect(stored.idpMetadataRefresh).toMatchObject({ lastResult: 'unchanged', warnings: ['entity_id_changed'] });
      // The other key still signs nobody in.
      const attack = await signInSignedBy(org, c.id, testKeys().other);
      expect(attack.status).toBe(400);
      expect(attack.sessionId).toBeUndefined();
      // Only the creation is in the audit trail.
      const audit = await auditOf(org, c.id, 1);
      expect(audit.map((e) => e.action)).toEqual(['connection.created']);
    } finally {
      await idp.close();
    }
  });

  it("refresh now: another org's connection is a 404, a connection without a metadata URL a 400, no key a 401", async () => {
    const idp = await startMetadataServer();
    try {
      idp.serve(metadata([old]));
      const [org, other] = await Promise.all([signupOrg(service.url), signupOrg(service.url)]);
      const c = await createFromUrl(org, idp.url);
      const before = idp.fetches();
      const foreign = await call('POST', `/v1/sso/connections/${c.id}/metadata/refresh`, { apiKey: other.apiKey });
      expect(foreign.status).toBe(404);
      expect((await call('POST', `/v1/sso/connections/${c.id}/metadata/refresh`)).status).toBe(401);
      expect(idp.fetches()).toBe(before);
      const typed = await call('POST', '/v1/sso/connections', {
        apiKey: org.apiKey,
        json: {
          name: 'typed',
          protocol: 'saml',
          idpEntityId: IDP_ENTITY_ID,
          idpSsoUrl: SSO_URL,
          idpCertificate: old.certificatePem,
        },
      });
      const none = await call('POST', `/v1/sso/connections/${String(typed.body.id)}/metadata/refresh`, {
        apiKey: org.apiKey,
      });
      expect(none.status).toBe(400);
      expect((await read(org, String(typed.body.id))).idpMetadataRefresh).toBeNull();
      // The GrantexClient calls it too.
      idp.serve(metadata([old, next]));
      const viaClient = await org.client.sso.connections.refreshMetadata(c.id);
      expect(viaClient.result).toBe('updated');
    } finally {
      await idp.close();
    }
  });
});

describe('IdP metadata refresh: on a schedule, one process at a time', () => {
  it('two services sharing the database fetch a due connection once; a later turn picks up the rollover, audited by the system', async () => {
    const idp = await startMetadataServer();
    const dir = await mkdtemp(path.join(tmpdir(), 'gx-saml-refresh-2-'));
    let clockOffset = 0;
    const now = () => Date.now() + clockOffset;
    const db = await testDatabaseOptions();
    const opts = { ...db, now, eventBuffer: { flushMs: 20 }, metadataRefresh: { runMs: 50, intervalMs: HOUR } };
    const a = await startLocalSsoService(dir, opts);
    const b = await startLocalSsoService(dir, opts);
    try {
      idp.serve(metadata([old]));
      const org = await signupOrg(a.url);
      const c = await createFromUrl(org, idp.url, a.url);
      const afterCreate = idp.fetches();
      // The save read the metadata: the first refresh is one interval (1 h) later.
      await new Promise((r) => setTimeout(r, 300));
      expect(idp.fetches()).toBe(afterCreate);
      expect((await read(org, c.id, b.url)).idpMetadataRefresh?.lastResult).toBeNull();
      clockOffset = 1.05 * HOUR;
      // Due now. Both services run every 50 ms; exactly one of them takes it.
      await waitFor(async () => (await read(org, c.id, b.url)).idpMetadataRefresh?.lastResult === 'unchanged');
      await new Promise((r) => setTimeout(r, 500));
      expect(idp.fetches()).toBe(afterCreate + 1);

      // The IdP publishes its next certificate; nothing happens until the connection is due again (1 h ± 10 %).
      idp.serve(metadata([old, next]));
      await new Promise((r) => setTimeout(r, 300));
      expect(idp.fetches()).toBe(afterCreate + 1);
      clockOffset = 2.3 * HOUR;
      await waitFor(async () => (await read(org, c.id, a.url)).idpCertificates.length === 2);
      await new Promise((r) => setTimeout(r, 500));
      expect(idp.fetches()).toBe(afterCreate + 2);
      const audit = await auditOf(org, c.id, 2, a.url);
      const update = audit.find((e) => e.action === 'connection.updated');
      expect(update).toMatchObject({
        actor: { kind: 'system', label: 'IdP metadata refresh' },
        changedFields: ['idpCertificates'],
      });
    } finally {
      await b.close();
      await a.close();
      await idp.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}
