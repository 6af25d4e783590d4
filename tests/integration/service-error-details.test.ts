/**
 * Error bodies carry `errors: [{ field?, code, message }]` next to the legacy `{message, code, requestId}`:
 * one entry per refused field with a stable field error code, and a reason code for the situations a caller
 * tells apart (state expired or used, invalid state, code/state or org missing). Raw HTTP, so the wire is what
 * is checked; the legacy message stays exactly as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_REASON_CODES, errorBodySchema, FIELD_ERROR_CODES, MESSAGES } from '@/lib/contract';
import {
  callService,
  OIDC_CONNECTION,
  signup,
  startTestService,
  TEST_KEYS,
  VALID_CONFIG,
  type Answer,
  type TestService,
} from './service-harness';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ consoleUrl: 'http://localhost:3000', ...TEST_KEYS });
});
afterAll(async () => {
  await svc?.close();
});

const call = (method: string, path: string, apiKey: string | null, body?: unknown): Promise<Answer> =>
  callService(svc.url, method, path, { bearer: apiKey, json: body });

/** The body parses with the contract's schema, keeps the legacy keys, and its codes are from the contract's tables. */
function errorsOf(res: Answer, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(Object.keys(res.body).sort()).toEqual(['code', 'errors', 'message', 'requestId']);
  const body = errorBodySchema.parse(res.body);
  const known: readonly string[] = [...FIELD_ERROR_CODES, ...ERROR_REASON_CODES];
  for (const entry of body.errors ?? []) expect(known).toContain(entry.code);
  return { message: body.message, errors: body.errors ?? [] };
}

describe('field errors as data', () => {
  it('connection create: one entry per refused field, the legacy message unchanged', async () => {
    const org = await signup(svc.url);
    const res = await call('POST', '/v1/sso/connections', org.apiKey, {
      ...OIDC_CONNECTION,
      issuerUrl: 'http://idp.example.com',
      redirectUri: 'not a url',
    });
    const { message, errors } = errorsOf(res, 400);
    expect(errors).toEqual([
      { field: 'issuerUrl', code: 'https_required', message: expect.stringMatching(/^must use https/) },
      { field: 'redirectUri', code: 'invalid_url', message: 'must be an absolute URL, like https://idp.example.com' },
    ]);
    expect(message).toBe(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    expect(res.body.code).toBe('BAD_REQUEST');
  });

  it('connection create: a blocked issuer address, a missing name and a too long client id have their codes', async () => {
    const org = await signup(svc.url);
    const blocked = errorsOf(
      await call('POST', '/v1/sso/connections', org.apiKey, {
        ...OIDC_CONNECTION,
        issuerUrl: 'https://169.254.169.254/',
      }),
      400,
    );
    expect(blocked.errors).toEqual([{ field: 'issuerUrl', code: 'blocked_address', message: expect.any(String) }]);
    const unnamed = Object.fromEntries(Object.entries(OIDC_CONNECTION).filter(([key]) => key !== 'name'));
    const schema = errorsOf(await call('POST', '/v1/sso/connections', org.apiKey, unnamed), 400);
    expect(schema.errors.map((e) => [e.field, e.code])).toEqual([['name', 'required']]);
    const long = errorsOf(
      await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC_CONNECTION, clientId: 'x'.repeat(5000) }),
      400,
    );
    expect(long.errors.map((e) => [e.field, e.code])).toEqual([['clientId', 'too_long']]);
  });

  it('connection create: a domain another connection lists is "taken"', async () => {
    const org = await signup(svc.url);
    const first = await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC_CONNECTION, domains: ['acme.com'] });
    expect(first.status, first.text).toBe(201);
    const { errors } = errorsOf(
      await call('POST', '/v1/sso/connections', org.apiKey, {
        ...OIDC_CONNECTION,
        name: 'Second',
        domains: ['acme.com'],
      }),
      400,
    );
    expect(errors).toEqual([
      { field: 'domains', code: 'taken', message: expect.stringContaining('acme.com is already listed') },
    ]);
  });

  it('config save (legacy endpoint): the same entries', async () => {
    const org = await signup(svc.url);
    const res = await call('POST', '/v1/sso/config', org.apiKey, {
      ...VALID_CONFIG,
      issuerUrl: 'ftp://idp.example.com',
    });
    const { message, errors } = errorsOf(res, 400);
    expect(errors).toEqual([{ field: 'issuerUrl', code: 'https_required', message: 'must use https' }]);
    expect(message).toBe('issuerUrl: must use https');
  });
});

describe('reasons as data', () => {
  it('login without an org: org_required', async () => {
    const { message, errors } = errorsOf(await call('GET', '/sso/login', null), 400);
    expect(message).toBe(MESSAGES.orgRequired);
    expect(errors).toEqual([{ field: 'org', code: 'org_required', message: MESSAGES.orgRequired }]);
  });

  it('callback: a state that is no state of ours is invalid_state; a missing code is code_and_state_required', async () => {
    const bad = errorsOf(await call('GET', '/sso/callback?code=abc&state=not-a-state', null), 400);
    expect(bad.message).toBe(MESSAGES.invalidState);
    expect(bad.errors).toEqual([{ field: 'state', code: 'invalid_state', message: MESSAGES.invalidState }]);
    const missing = errorsOf(await call('GET', '/sso/callback?state=abc', null), 400);
    expect(missing.errors).toEqual([{ code: 'code_and_state_required', message: MESSAGES.codeAndStateRequired }]);
    const posted = errorsOf(await call('POST', '/sso/callback/oidc', null, { code: 'c', state: 'not-a-state' }), 400);
    expect(posted.errors.map((e) => e.code)).toEqual(['invalid_state']);
  });

  it('login for an org without SSO: sso_not_configured on the 404', async () => {
    const org = await signup(svc.url);
    const { message, errors } = errorsOf(await call('GET', `/sso/login?org=${org.developerId}`, null), 404);
    expect(message).toBe(MESSAGES.ssoNotConfigured);
    expect(errors).toEqual([{ code: 'sso_not_configured', message: MESSAGES.ssoNotConfigured }]);
  });

  it('an error with nothing to tell apart has no errors key (the legacy body as it was)', async () => {
    const res = await call('GET', '/v1/sso/connections/sso_missing', (await signup(svc.url)).apiKey);
    expect(res.status).toBe(404);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'requestId']);
  });
});

describe('a credential is checked before the request is', () => {
  // Route schemas run after authentication (a preValidation hook): a caller without a valid key learns nothing
  // about what a valid body looks like, and gets the 401 it has always got.
  const unknownKey = `gx_live_${'A'.repeat(43)}`;
  const cases: [method: string, path: string, body: unknown][] = [
    ['POST', '/v1/sso/config', { issuerUrl: 5 }],
    ['POST', '/v1/sso/connections', { protocol: 'ldap' }],
    ['POST', '/v1/sso/domains', { domain: 'not a domain' }],
    ['POST', '/v1/sso/setup-links', { expiresInHours: 'soon' }],
    ['POST', '/v1/sso/connections/sso_x/test-sign-in', { redirect_uri: 7 }],
    ['GET', '/v1/sso/events?limit=many', undefined],
    ['GET', '/v1/sso/audit?action=nope', undefined],
  ];
  it.each(cases)('%s %s with an unknown key and an invalid request: 401, not 400', async (method, path, body) => {
    const res = await call(method, path, unknownKey, body);
    expect(res.status, res.text).toBe(401);
    expect(res.body).toMatchObject({ code: 'UNAUTHORIZED', message: MESSAGES.invalidKey });
  });

  it('the same requests with a valid key get the 400 with one entry per field', async () => {
    const org = await signup(svc.url);
    const domain = errorsOf(await call('POST', '/v1/sso/domains', org.apiKey, { domain: 'not a domain' }), 400);
    expect(domain.errors.map((e) => e.field)).toEqual(['domain']);
    const events = errorsOf(await call('GET', '/v1/sso/events?limit=many', org.apiKey), 400);
    expect(events.errors.map((e) => [e.field, e.code])).toEqual([['limit', 'invalid']]);
    const links = errorsOf(await call('POST', '/v1/sso/setup-links', org.apiKey, { expiresInHours: 'soon' }), 400);
    expect(links.errors.map((e) => [e.field, e.code])).toEqual([['expiresInHours', 'invalid']]);
  });
});
