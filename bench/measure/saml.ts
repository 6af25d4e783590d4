/**
 * The SAML service provider at module level (lib/sso-service/saml), in this process: the HTTP-Redirect login
 * URL (AuthnRequest built, deflated, encoded) and the ACS validation of a signed HTTP-POST response (guards,
 * signature, conditions, mapping, single-use claim). Responses are signed before the clock starts; each
 * validation has its own request id and assertion ID, as real logins do.
 */
import { generateSigningKey } from '../../lib/dev-idp/saml/keys';
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
      await validatePostResponse(settings, { samlResponse: r.samlResponse, expectedRequestId: r.requestId, claimAssertionId });
      if (i >= warmup) validateSamples.push(performance.now() - t0);
    } catch {
      errors++;
    }
  }
  return { loginUrlMs: summarize(loginSamples), loginUrlFetches: fetches, validateMs: summarize(validateSamples), errors };
}
