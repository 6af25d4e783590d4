import type { SsoCallbackResponse, SsoLoginResponse } from '@/lib/contract';
import { serviceRequests, type IdpCounts } from '../lib/counting-proxy';
import { http, json } from '../lib/http';
import { loginAtIdpOverHttp } from '../lib/idp-login';
import { progress } from '../lib/log';
import { pickOrg, type Org } from '../lib/orgs';
import type { Idp, Service } from '../lib/stack';
import { summarize, type Summary } from '../lib/stats';

export interface CallbackResult {
  callbackMs: Summary;
  roundTripMs: Summary;
  /** Time spent at the IdP (authorize → login form → redirect), for context. */
  idpMs: Summary;
  /** The IdP's token endpoint as seen from the proxy: part of the callback the service cannot speed up. */
  tokenEndpointMs: Summary;
  /** Callback minus the token request: the service's own work (state, DB, ID-token verification). */
  callbackOwnMs: Summary;
  /** Service → IdP requests per warm login. */
  idpRequestsPerLogin: { min: number; max: number; mean: number };
  idpRequests: IdpCounts;
  loginsWithExactlyOneToken: number;
  logins: number;
  errors: number;
  firstError?: string;
  /** Sign-in events the service recorded for these logins (warm-up included), read back once the buffer flushed. */
  signInEvents?: { recorded: number; expected: number };
}

/** Counts the successful sign-in events of `orgs` through GET /v1/sso/events (the buffer writes within ~250 ms). */
async function countSignInEvents(service: Service, orgs: readonly Org[], from: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 600));
  let recorded = 0;
  for (const org of orgs) {
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ outcome: 'success', from, limit: '200', ...(cursor ? { cursor } : {}) });
      const res = await http(`${service.url}/v1/sso/events?${q}`, {
        headers: { authorization: `Bearer ${org.apiKey}` },
      });
      if (res.status !== 200) return Number.NaN;
      const page = JSON.parse(res.text) as { events: unknown[]; nextCursor: string | null };
      recorded += page.events.length;
      cursor = page.nextCursor;
    } while (cursor);
  }
  return recorded;
}

const ALICE = { username: 'alice', password: 'alice-password' };

interface OneLogin {
  callbackMs: number;
  tokenMs: number;
  roundTripMs: number;
  idpMs: number;
  counts: IdpCounts;
}

/** One complete login through the dev IdP (also the webhooks section's unit of work). */
export async function oneLogin(service: Service, idp: Idp, org: Org): Promise<OneLogin> {
  const t0 = performance.now();
  const login = await json<SsoLoginResponse>(`${service.url}/sso/login?org=${encodeURIComponent(org.developerId)}`);
  const t1 = performance.now();
  const redirect = await loginAtIdpOverHttp(login.authorizeUrl, ALICE, idp.redirectUris[0]!);
  const code = redirect.searchParams.get('code');
  const state = redirect.searchParams.get('state');
  if (!code || !state) throw new Error('IdP redirect carried no code/state');
  const q = new URLSearchParams({ code, state });
  const iss = redirect.searchParams.get('iss');
  // Forward `iss` like the console does (RFC 9207, contract extension).
  if (iss) q.set('iss', iss);
  const before = idp.proxy.snapshot();
  const tokenIdx = idp.proxy.durations('token').length;
  const t2 = performance.now();
  const res = await http(`${service.url}/sso/callback?${q}`);
  const t3 = performance.now();
  const counts = idp.proxy.since(before);
  if (res.status !== 200) throw new Error(`GET /sso/callback → ${res.status}: ${res.text.slice(0, 200)}`);
  const identity = JSON.parse(res.text) as SsoCallbackResponse;
  if (identity.developerId !== org.developerId || !identity.sub)
    throw new Error('callback returned the wrong identity');
  const tokenMs = idp.proxy
    .durations('token')
    .slice(tokenIdx)
    .reduce((a, b) => a + b, 0);
  return { callbackMs: t3 - t2, tokenMs, roundTripMs: t3 - t0, idpMs: t2 - t1, counts };
}

/** Measurement 2: complete logins over HTTP through the dev IdP, no browser. */
export async function measureCallbacks(
  service: Service,
  idp: Idp,
  orgs: readonly Org[],
  n: number,
  warmup: number,
): Promise<CallbackResult> {
  // Only orgs holding the dev IdP's real client can finish a login (see configBody).
  orgs = orgs.filter((o) => o.canLogin);
  if (orgs.length === 0) throw new Error('no org with the dev IdP client to log in with');
  progress(`callback latency: ${warmup} warm-up + ${n} complete logins through the dev IdP over ${orgs.length} org(s)`);
  const used = new Set<Org>();
  const startedAt = new Date().toISOString();
  for (let i = 0; i < warmup; i++) {
    used.add(pickOrg(orgs, i));
    await oneLogin(service, idp, pickOrg(orgs, i));
  }
  const cb: number[] = [];
  const rt: number[] = [];
  const idpT: number[] = [];
  const tokenT: number[] = [];
  const own: number[] = [];
  const perLogin: number[] = [];
  const total: IdpCounts = { discovery: 0, jwks: 0, token: 0, userinfo: 0, other: 0 };
  let exactlyOne = 0;
  let errors = 0;
  let firstError: string | undefined;
  for (let i = 0; i < n; i++) {
    try {
      used.add(pickOrg(orgs, warmup + i));
      const r = await oneLogin(service, idp, pickOrg(orgs, warmup + i));
      cb.push(r.callbackMs);
      rt.push(r.roundTripMs);
      idpT.push(r.idpMs);
      tokenT.push(r.tokenMs);
      own.push(r.callbackMs - r.tokenMs);
      const sent = serviceRequests(r.counts);
      perLogin.push(sent);
      if (sent === 1 && r.counts.token === 1) exactlyOne++;
      for (const k of Object.keys(total) as (keyof IdpCounts)[]) total[k] += r.counts[k];
    } catch (err) {
      errors++;
      firstError ??= err instanceof Error ? err.message : String(err);
    }
    if ((i + 1) % 100 === 0) progress(`  ${i + 1}/${n} logins`);
  }
  const result: CallbackResult = {
    callbackMs: summarize(cb),
    roundTripMs: summarize(rt),
    idpMs: summarize(idpT),
    tokenEndpointMs: summarize(tokenT),
    callbackOwnMs: summarize(own),
    idpRequestsPerLogin: {
      min: perLogin.length ? Math.min(...perLogin) : Number.NaN,
      max: perLogin.length ? Math.max(...perLogin) : Number.NaN,
      mean: perLogin.length ? perLogin.reduce((a, b) => a + b, 0) / perLogin.length : Number.NaN,
    },
    idpRequests: total,
    loginsWithExactlyOneToken: exactlyOne,
    logins: cb.length,
    errors,
    firstError,
    signInEvents: { recorded: await countSignInEvents(service, [...used], startedAt), expected: warmup + cb.length },
  };
  progress(
    `  sign-in events recorded: ${result.signInEvents?.recorded} of ${result.signInEvents?.expected} successful logins`,
  );
  progress(
    `  callback p50 ${result.callbackMs.p50.toFixed(2)} ms (IdP token endpoint ${result.tokenEndpointMs.p50.toFixed(2)} ms), round trip p50 ${result.roundTripMs.p50.toFixed(2)} ms, ` +
      `IdP requests/login ${result.idpRequestsPerLogin.min}–${result.idpRequestsPerLogin.max}, errors ${errors}`,
  );
  if (firstError) progress(`  first error: ${firstError}`);
  return result;
}
