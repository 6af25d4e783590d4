/**
 * The sign-in deadline (SSO_SIGNIN_DEADLINE_MS) through the real service, the real relying party and the
 * programmable test OP (SQLite, and PostgreSQL with GRANTEX_TEST_DATABASE_URL): an IdP whose every step answers
 * just under its own timeout is stopped by the one deadline for the whole callback, with its own reason code, the
 * running step as its stage, a trace that shows the slow steps, and the member's "did not answer in time"; the
 * same IdP within a roomier deadline signs in (so only the deadline caught it), and a fast IdP is unaffected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, signInEventSchema, type SignInEvent } from '@/lib/contract';
import { classifyGrantexFailure } from '@/lib/console/member-login/grantex-failure';
import { MEMBER_LOGIN_ERRORS } from '@/lib/console/messages';
import { GrantexClient } from '@/lib/grantex';
import { startDeadline } from '@/lib/net';
import { loadServiceConfig, ServiceConfigError } from '@/lib/sso-service';
import { createRelyingParty, RpError, type RpTrace } from '@/lib/sso-service/oidc';
import { failure } from '@/tests/support/grantex-failure';
import { signupOrg } from '@/tests/support/stack';
import { startTestOp, type TestOp } from '@/tests/support/test-op';
import { freshLoginParams, rpConfigFor } from '@/tests/support/test-op/rp-login';
import { callService, startTestService, type TestService } from './service-harness';

const REDIRECT_URI = 'http://localhost:3999/sso/callback';
const OP_CLIENT = { clientId: 'deadline-client', clientSecret: 'deadline secret', redirectUris: [REDIRECT_URI] };

/** Each IdP request's own timeout. */
const STEP_TIMEOUT_MS = 1000;
/** How long each slow step takes: under its own timeout. */
const SLOW_STEP_MS = 800;
/** The whole callback's deadline: less than three slow steps (token, JWKS, userinfo), more than one. */
const DEADLINE_MS = 1500;

let tight: TestService;
let roomy: TestService;
let opCount = 0;
const ops: TestOp[] = [];

beforeAll(async () => {
  const rp = () => createRelyingParty({ devMode: true, timeoutMs: STEP_TIMEOUT_MS });
  // The real relying party (each service its own caches), only its per-request timeout shortened.
  [tight, roomy] = await Promise.all([
    startTestService({ relyingParty: rp(), signInDeadlineMs: DEADLINE_MS }),
    startTestService({ relyingParty: rp() }),
  ]);
});
afterAll(async () => {
  await Promise.all([tight?.close(), roomy?.close(), ...ops.map((op) => op.close())]);
});

/**
 * An org on a fresh test OP (fresh issuer: its JWKS is not cached yet). The connection's save checks the issuer,
 * so discovery is cached and the callback asks the IdP for the token, the JWKS and, as the ID token lacks `name`,
 * userinfo.
 */
async function slowIdpOrg(service: TestService) {
  const op = await startTestOp({ issuerPath: `/deadline-${++opCount}`, clients: [OP_CLIENT] });
  ops.push(op);
  const org = await signupOrg(service.url);
  await org.client.sso.connections.create({
    name: 'Slow IdP',
    protocol: 'oidc',
    issuerUrl: op.issuer,
    clientId: OP_CLIENT.clientId,
    clientSecret: OP_CLIENT.clientSecret,
    redirectUri: REDIRECT_URI,
  });
  op.behave.omitIdTokenClaims = ['name'];
  return { ...org, op };
}

async function callbackParams(service: TestService, developerId: string, op: TestOp) {
  const { authorizeUrl } = await new GrantexClient({ baseUrl: service.url, retries: 0 }).sso.getLoginUrl(developerId);
  const back = await op.driveAuthorize(authorizeUrl);
  return { code: back.searchParams.get('code')!, state: back.searchParams.get('state')!, iss: op.issuer };
}

/** The org's sign-in events, once `count` are stored (the buffer flushes every 250 ms). */
async function signInEvents(service: TestService, apiKey: string, count = 1): Promise<SignInEvent[]> {
  for (let i = 0; i < 100; i++) {
    const res = await callService(service.url, 'GET', '/v1/sso/events', { bearer: apiKey });
    const events = (res.body as { events: unknown[] }).events.map((e) => signInEventSchema.parse(e));
    if (events.length >= count) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the sign-in event was not stored');
}

describe('SSO_SIGNIN_DEADLINE_MS / SSO_SHUTDOWN_DRAIN_MS', () => {
  it('default to 10 s and 15 s, take milliseconds in range, and name only the variable when refused', () => {
    expect(loadServiceConfig({})).toMatchObject({ signInDeadlineMs: 10_000, shutdownDrainMs: 15_000 });
    expect(loadServiceConfig({ SSO_SIGNIN_DEADLINE_MS: '2500', SSO_SHUTDOWN_DRAIN_MS: '0' })).toMatchObject({
      signInDeadlineMs: 2500,
      shutdownDrainMs: 0,
    });
    for (const [name, bad] of [
      ['SSO_SIGNIN_DEADLINE_MS', '999'],
      ['SSO_SIGNIN_DEADLINE_MS', '120001'],
      ['SSO_SIGNIN_DEADLINE_MS', 'soon'],
      ['SSO_SHUTDOWN_DRAIN_MS', '-1'],
      ['SSO_SHUTDOWN_DRAIN_MS', '600001'],
    ] as const) {
      expect(() => loadServiceConfig({ [name]: bad })).toThrow(ServiceConfigError);
      expect(() => loadServiceConfig({ [name]: bad })).toThrow(new RegExp(`${name}: `));
    }
  });
});

describe('one deadline for the whole callback', () => {
  it('stops an IdP whose every step answers just under its own timeout, naming the slow step', async () => {
    const org = await slowIdpOrg(tight);
    const params = await callbackParams(tight, org.developerId, org.op);
    org.op.behave.delayMs = { token: SLOW_STEP_MS, jwks: SLOW_STEP_MS, userinfo: SLOW_STEP_MS };

    const started = performance.now();
    const res = await callService(tight.url, 'POST', '/sso/callback/oidc', { bearer: null, json: params });
    const elapsed = performance.now() - started;

    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({
      code: 'SSO_ERROR',
      message: MESSAGES.idpDeadlineExceeded,
      errors: [{ code: 'idp_deadline_exceeded', message: MESSAGES.idpDeadlineExceeded }],
    });
    // Cut at the deadline: well before the three slow steps (2.4 s) would have finished.
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(elapsed).toBeLessThan(3 * SLOW_STEP_MS);
    // The token step finished, the JWKS (ID-token step) was cut; userinfo was never asked.
    expect(org.op.requestsTo('token')).toHaveLength(1);
    expect(org.op.requestsTo('jwks')).toHaveLength(1);
    expect(org.op.requestsTo('userinfo')).toHaveLength(0);
    // No session was opened.
    expect(await org.client.sso.sessions.list()).toEqual([]);

    // The sign-in log: its own reason, the running step as the stage, and the steps' times in the trace.
    const [event] = await signInEvents(tight, org.apiKey);
    expect(event).toMatchObject({ outcome: 'failure', reason: 'idp_deadline_exceeded', stage: 'id_token' });
    const steps = event!.trace?.steps ?? [];
    expect(steps.map((s) => [s.name, s.ok])).toEqual([
      ['discovery', true],
      ['token', true],
      ['id_token', false],
    ]);
    const token = steps.find((s) => s.name === 'token')!;
    expect(token.endMs - token.startMs).toBeGreaterThanOrEqual(SLOW_STEP_MS - 50);
    expect(steps.at(-1)!.endMs).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    // The service log names the step that was running, never anything the IdP sent.
    const line = tight.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'sign-in deadline exceeded');
    expect(line).toMatchObject({ step: 'id_token', deadlineMs: DEADLINE_MS });

    // A retry of the same callback repeats the failure without reaching the IdP again.
    const replay = await callService(tight.url, 'POST', '/sso/callback/oidc', { bearer: null, json: params });
    expect(replay.status).toBe(504);
    expect(org.op.requestsTo('token')).toHaveLength(1);
  });

  it('shows the member "your identity provider did not answer in time"', async () => {
    const org = await slowIdpOrg(tight);
    const params = await callbackParams(tight, org.developerId, org.op);
    org.op.behave.delayMs = { token: SLOW_STEP_MS, jwks: SLOW_STEP_MS, userinfo: SLOW_STEP_MS };
    const err = await failure(
      new GrantexClient({ baseUrl: tight.url, retries: 0 }).sso.handleOidcCallback(params.code, params.state, {
        iss: params.iss,
      }),
    );
    expect(err.reason).toBe('idp_deadline_exceeded');
    const { code } = classifyGrantexFailure(err);
    expect(code).toBe('idp_timeout');
    expect(MEMBER_LOGIN_ERRORS[code].title).toBe('Your identity provider did not answer in time');
  });

  it('lets the same slow IdP sign in within a roomier deadline: each step alone is within its timeout', async () => {
    const org = await slowIdpOrg(roomy);
    const params = await callbackParams(roomy, org.developerId, org.op);
    org.op.behave.delayMs = { token: SLOW_STEP_MS, jwks: SLOW_STEP_MS, userinfo: SLOW_STEP_MS };
    const res = await callService(roomy.url, 'POST', '/sso/callback/oidc', { bearer: null, json: params });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ developerId: org.developerId, sub: org.op.behave.user.sub });
    expect(org.op.requestsTo('userinfo')).toHaveLength(1);
    const [event] = await signInEvents(roomy, org.apiKey);
    expect(event).toMatchObject({ outcome: 'success', reason: null });
    expect(event!.durationMs).toBeGreaterThanOrEqual(3 * SLOW_STEP_MS - 50);
  });

  it('leaves a fast IdP unaffected', async () => {
    const org = await slowIdpOrg(tight);
    const params = await callbackParams(tight, org.developerId, org.op);
    const res = await callService(tight.url, 'POST', '/sso/callback/oidc', { bearer: null, json: params });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ developerId: org.developerId });
    expect(await org.client.sso.sessions.list()).toHaveLength(1);
    const [event] = await signInEvents(tight, org.apiKey);
    expect(event).toMatchObject({ outcome: 'success', stage: 'complete', reason: null });
    expect(event!.durationMs).toBeLessThan(DEADLINE_MS);
  });
});

describe('the relying party ends the running IdP request at the deadline', () => {
  /** One redemption on a fresh OP whose `endpoint` is slow, within a deadline shorter than that step. */
  async function cutAt(endpoint: 'token' | 'userinfo') {
    const op = await startTestOp({ issuerPath: `/deadline-rp-${++opCount}` });
    ops.push(op);
    const rp = createRelyingParty({ devMode: true, timeoutMs: STEP_TIMEOUT_MS });
    const cfg = rpConfigFor(op);
    const p = freshLoginParams();
    const back = await op.driveAuthorize(await rp.authorizationUrl(cfg, p));
    op.behave.omitIdTokenClaims = ['name'];
    op.behave.delayMs = { [endpoint]: SLOW_STEP_MS };
    // Only that step is slow, so the 300 ms deadline falls inside it.
    const deadline = startDeadline(300);
    const trace: RpTrace = {};
    const redeemed = rp.redeem(cfg, {
      code: back.searchParams.get('code')!,
      state: back.searchParams.get('state')!,
      iss: op.issuer,
      nonce: p.nonce,
      codeVerifier: p.codeVerifier,
      trace,
      signal: deadline.signal,
    });
    const err = await redeemed.then(
      () => null,
      (e: unknown) => e,
    );
    deadline.clear();
    return { err, steps: trace.steps ?? [] };
  }

  it.each(['token', 'userinfo'] as const)('%s: the request itself is aborted, not waited for', async (endpoint) => {
    const { err, steps } = await cutAt(endpoint);
    expect(err).toBeInstanceOf(RpError);
    expect(err).toMatchObject({ status: 504, reason: 'idp_deadline_exceeded', message: MESSAGES.idpDeadlineExceeded });
    const cut = steps.find((s) => s.name === endpoint)!;
    expect(cut.ok).toBe(false);
    // The step ended when the deadline aborted its request, long before the IdP's answer (800 ms) came.
    expect(cut.endMs).toBeLessThan(SLOW_STEP_MS - 200);
  });
});
