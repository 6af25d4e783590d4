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
import { X509Certificate } from 'node:crypto';
import xmlenc from 'xml-encryption';
import { generateSigningKey } from '../../lib/dev-idp/saml/keys';
import { generateSpKeyPair } from '../../lib/sso-service/crypto/sp-key-pair';
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
  /** The login URL with an RSA-SHA256 signature (the connection's RSA-3072 SP signing key). */
  loginUrlSignedMs: Summary;
  validateMs: Summary;
  /** An assertion (signed) encrypted with AES-256-GCM + RSA-OAEP to the SP's RSA-3072 key, the Response unsigned. */
  validateEncryptedMs: Summary;
  /** The same inside a Response the IdP signed (node-saml decrypts it itself, from the verified bytes). */
  validateEncryptedSignedResponseMs: Summary;
  errors: number;
}

/** xml-encryption's AES-256-GCM + RSA-OAEP EncryptedData of `plaintext` to `certificatePem`. */
function encryptTo(plaintext: string, certificatePem: string): Promise<string> {
  return new Promise((resolve, reject) =>
    xmlenc.encrypt(
      plaintext,
      {
        rsa_pub: new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        pem: certificatePem,
        encryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
        keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );
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

  // The service's own SP keys (RSA-3072, as a connection's rotate makes them).
  const spSigning = await generateSpKeyPair('Bench SP signing');
  const spEncryption = await generateSpKeyPair('Bench SP encryption');
  const signedSettings = { ...settings, signAuthnRequests: true };
  const loginSignedSamples: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const t0 = performance.now();
    await buildLoginUrl(signedSettings, { requestId: samlId(), relayState, signingKey: spSigning });
    if (i >= warmup) loginSignedSamples.push(performance.now() - t0);
  }

  /** A signed response; `encrypt`: its signed assertion encrypted to the SP, then the Response signed or not. */
  const makeResponse = async (encrypt: 'no' | 'unsigned-response' | 'signed-response') => {
    const requestId = samlId();
    const assertionId = samlId();
    const responseId = samlId();
    let xml = signElement(
      buildResponseXml({
        idpEntityId: settings.idpEntityId,
        spEntityId: settings.spEntityId,
        acsUrl: settings.spAcsUrl,
        inResponseTo: requestId,
        nameId: 'member@example.com',
        attributes: { email: ['member@example.com'], displayName: ['Bench Member'], groups: ['engineering'] },
        assertionId,
        responseId,
      }),
      { id: assertionId, key },
    );
    if (encrypt !== 'no') {
      const assertion = /<saml:Assertion [\s\S]*<\/saml:Assertion>/.exec(xml)![0];
      const data = await encryptTo(
        assertion.replace('<saml:Assertion ', `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" `),
        spEncryption.certificatePem,
      );
      xml = xml.replace(assertion, () => `<saml:EncryptedAssertion>${data}</saml:EncryptedAssertion>`);
      if (encrypt === 'signed-response') xml = signElement(xml, { id: responseId, key });
    }
    return { requestId, samlResponse: Buffer.from(xml).toString('base64') };
  };
  const claimed = new Set<string>();
  const claimAssertionId = async (id: string) => !claimed.has(id) && Boolean(claimed.add(id));
  let errors = 0;
  const validateAll = async (encrypt: 'no' | 'unsigned-response' | 'signed-response') => {
    const responses = [];
    for (let i = 0; i < warmup + n; i++) responses.push(await makeResponse(encrypt));
    const samples: number[] = [];
    for (const [i, r] of responses.entries()) {
      const t0 = performance.now();
      try {
        await validatePostResponse(settings, {
          samlResponse: r.samlResponse,
          expectedRequestId: r.requestId,
          claimAssertionId,
          // The service reads the keys only for an EncryptedAssertion; so does this.
          decryptionKeys: async () => [spEncryption],
        });
        if (i >= warmup) samples.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
    return summarize(samples);
  };
  const validateMs = await validateAll('no');
  const validateEncryptedMs = await validateAll('unsigned-response');
  const validateEncryptedSignedResponseMs = await validateAll('signed-response');
  return {
    loginUrlMs: summarize(loginSamples),
    loginUrlFetches: fetches,
    loginUrlSignedMs: summarize(loginSignedSamples),
    validateMs,
    validateEncryptedMs,
    validateEncryptedSignedResponseMs,
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
