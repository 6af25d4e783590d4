/**
 * The SAML service provider at module level (lib/sso-service/saml), in this process: the HTTP-Redirect login
 * URL (AuthnRequest built, deflated, encoded) and the ACS validation of a signed HTTP-POST response (guards,
 * signature, conditions, mapping, single-use claim). Responses are signed before the clock starts; each
 * validation has its own request id and assertion ID, as real logins do.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { generateSigningKey } from '../../lib/dev-idp/saml/keys';
import { startLocalSsoService } from '../../tests/support/stack';
import { http, json } from '../lib/http';
import { buildResponseXml, signElement, samlId } from '../../lib/dev-idp/saml/messages';
import { buildLoginUrl, validatePostResponse, type SamlConnectionSettings } from '../../lib/sso-service/saml';
import { progress } from '../lib/log';
import { summarize, type Summary } from '../lib/stats';

export interface SamlResult {
  loginUrlMs: Summary;
  /** fetch() calls made while building login URLs (the module makes none). */
  loginUrlFetches: number;
  validateMs: Summary;
  errors: number;
}

export async function measureSamlModule(n: number, warmup: number): Promise<SamlResult> {
  progress(`SAML module: ${warmup} warm-up + ${n} login URLs and ${n} response validations`);
  const key = generateSigningKey('Bench IdP');
  const settings: SamlConnectionSettings = {
    idpEntityId: 'https://idp.bench.test/saml',
    idpSsoUrl: 'https://idp.bench.test/saml/sso',
    idpCertificates: [key.certificatePem],
    spEntityId: 'https://sso.bench.test/saml/sp/sso_bench',
    spAcsUrl: 'https://sso.bench.test/sso/callback/saml',
  };
  const relayState = 'x'.repeat(400);

  const realFetch = globalThis.fetch;
  let fetches = 0;
  globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
    fetches++;
    return realFetch(...args);
  }) as typeof fetch;
  const loginSamples: number[] = [];
  try {
    for (let i = 0; i < warmup + n; i++) {
      const t0 = performance.now();
      await buildLoginUrl(settings, { requestId: samlId(), relayState });
      if (i >= warmup) loginSamples.push(performance.now() - t0);
    }
  } finally {
    globalThis.fetch = realFetch;
  }

  const responses = Array.from({ length: warmup + n }, () => {
    const requestId = samlId();
    const assertionId = samlId();
    const xml = buildResponseXml({
      idpEntityId: settings.idpEntityId,
      spEntityId: settings.spEntityId,
      acsUrl: settings.spAcsUrl,
      inResponseTo: requestId,
      nameId: 'member@example.com',
      attributes: { email: ['member@example.com'], displayName: ['Bench Member'], groups: ['engineering'] },
      assertionId,
    });
    return { requestId, samlResponse: Buffer.from(signElement(xml, { id: assertionId, key })).toString('base64') };
  });
  const claimed = new Set<string>();
  const claimAssertionId = async (id: string) => !claimed.has(id) && Boolean(claimed.add(id));
  const validateSamples: number[] = [];
  let errors = 0;
  for (const [i, r] of responses.entries()) {
    const t0 = performance.now();
    try {
      await validatePostResponse(settings, {
        samlResponse: r.samlResponse,
        expectedRequestId: r.requestId,
        claimAssertionId,
      });
      if (i >= warmup) validateSamples.push(performance.now() - t0);
    } catch {
      errors++;
    }
  }
  return {
    loginUrlMs: summarize(loginSamples),
    loginUrlFetches: fetches,
    validateMs: summarize(validateSamples),
    errors,
  };
}

export interface SamlServiceResult {
  /** GET /sso/login?org=&connection= on a SAML connection (one indexed read, one seal, the RelayState handle's insert, the AuthnRequest). */
  loginMs: Summary;
  /** POST /sso/callback/saml, form-encoded: state claim, validation, assertion claim, JIT principal + session. */
  acsMs: Summary;
  errors: number;
}

/**
 * The same through the service over HTTP (in this process, SQLite in a temp dir, keep-alive client): login
 * URLs first (each keeps its RelayState and AuthnRequest ID), then responses signed for them before the
 * clock starts, then the ACS posts.
 */
export async function measureSamlService(n: number, warmup: number): Promise<SamlServiceResult> {
  progress(`SAML via the service: ${warmup} warm-up + ${n} login URLs and ACS posts`);
  const key = generateSigningKey('Bench IdP');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gx-bench-saml-'));
  const service = await startLocalSsoService(dataDir);
  try {
    const org = await json<{ developerId: string; apiKey: string }>(`${service.url}/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'SAML bench' }),
    });
    const idpEntityId = 'https://idp.bench.test/saml';
    const connection = await json<{ id: string; spEntityId: string; spAcsUrl: string }>(
      `${service.url}/v1/sso/connections`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${org.apiKey}` },
        body: JSON.stringify({
          name: 'Bench SAML',
          protocol: 'saml',
          idpEntityId,
          idpSsoUrl: 'https://idp.bench.test/saml/sso',
          idpCertificate: key.certificatePem,
          jitProvisioning: true,
        }),
      },
    );
    const loginUrl = `${service.url}/sso/login?org=${org.developerId}&connection=${connection.id}`;
    const loginSamples: number[] = [];
    const logins: { requestId: string; relayState: string }[] = [];
    for (let i = 0; i < warmup + n; i++) {
      const t0 = performance.now();
      const { authorizeUrl } = await json<{ authorizeUrl: string }>(loginUrl);
      if (i >= warmup) loginSamples.push(performance.now() - t0);
      const url = new URL(authorizeUrl);
      const request = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
      logins.push({ requestId: /\sID="([^"]+)"/.exec(request)![1]!, relayState: url.searchParams.get('RelayState')! });
    }
    const posts = logins.map(({ requestId, relayState }, i) => {
      const assertionId = samlId();
      const xml = buildResponseXml({
        idpEntityId,
        spEntityId: connection.spEntityId,
        acsUrl: connection.spAcsUrl,
        inResponseTo: requestId,
        nameId: `member${i % 50}@example.com`,
        attributes: { email: [`member${i % 50}@example.com`], displayName: ['Bench Member'] },
        assertionId,
      });
      const samlResponse = Buffer.from(signElement(xml, { id: assertionId, key })).toString('base64');
      return new URLSearchParams({ SAMLResponse: samlResponse, RelayState: relayState }).toString();
    });
    const acsSamples: number[] = [];
    let errors = 0;
    for (const [i, body] of posts.entries()) {
      const t0 = performance.now();
      const res = await http(`${service.url}/sso/callback/saml`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      if (res.status !== 200) errors++;
      else if (i >= warmup) acsSamples.push(performance.now() - t0);
    }
    return { loginMs: summarize(loginSamples), acsMs: summarize(acsSamples), errors };
  } finally {
    await service.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
