/**
 * The console's member-session re-check (lib/console/member-login/member-recheck.ts) against the real service,
 * dev IdP and sealed cookie: an active session is confirmed and re-sealed without extending the cookie; a revoked
 * one ends the member session; an unreachable Grantex is tolerated only within the grace period after the last
 * confirmation, then fails closed; a Grantex without the check endpoint keeps the cookie's own end.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrantexClient } from '@/lib/grantex';
import { MEMBER_RECHECK_GRACE_SECONDS, recheckDue, recheckMember } from '@/lib/console/member-login/member-recheck';
import {
  MEMBER_TTL_SECONDS,
  memberCookieMaxAge,
  normalizeIdentity,
  readMemberSession,
  sealMemberSession,
  type MemberIdentity,
} from '@/lib/console/member-login/member-session';
import { loginAtDevIdp } from '@/tests/support/idp-login';
import { devIdpConfig, signupOrg, startStack, type Stack } from '@/tests/support/stack';

const REDIRECT_URI = 'http://localhost:3998/sso/callback';
const SECRET = 'member-recheck-test-secret-0123456789';
const INTERVAL_S = 30;

let stack: Stack;
let client: GrantexClient;
/** A loopback address nothing listens on (a server started, then closed). */
let deadUrl: string;

beforeAll(async () => {
  stack = await startStack({ redirectUri: REDIRECT_URI });
  client = new GrantexClient({ baseUrl: stack.serviceUrl, retries: 0 });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  deadUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await stack?.close();
});

/** A member signs in through the dev IdP; their identity as the console seals it (a real cookie round trip). */
async function signedInMember(nowMs: number) {
  const org = await signupOrg(stack.serviceUrl);
  await org.client.sso.createConfig(devIdpConfig(stack));
  const { authorizeUrl } = await client.sso.getLoginUrl(org.developerId);
  const redirect = await loginAtDevIdp(authorizeUrl, { username: 'alice', password: 'alice-password' });
  const iss = redirect.searchParams.get('iss');
  const signedIn = await client.sso.handleOidcCallback(
    redirect.searchParams.get('code')!,
    redirect.searchParams.get('state')!,
    iss ? { iss } : {},
  );
  const identity = normalizeIdentity(signedIn, {
    id: signedIn.sessionId,
    groups: signedIn.groups,
    mappedScopes: signedIn.mappedScopes,
    expiresAt: signedIn.expiresAt,
  });
  const cookie = (await readMemberSession(await sealMemberSession(identity, SECRET, nowMs), SECRET))!;
  return { org, signedIn, cookie };
}

const checkWith = (baseUrl: string) => (q: Parameters<GrantexClient['sso']['sessions']['check']>[0]) =>
  new GrantexClient({ baseUrl, retries: 0, timeoutMs: 2_000 }).sso.sessions.check(q);

describe('member session re-check', () => {
  it('the sign-in counts as a check; due only after the interval (or when the clock went back); never without a session', async () => {
    const now = Date.now();
    const { cookie } = await signedInMember(now);
    expect(cookie).toMatchObject({ verifiedAt: now, checkedAt: now, endsAt: now + MEMBER_TTL_SECONDS * 1000 });
    expect(cookie.session?.id).toMatch(/^ssn_/);
    expect(recheckDue(cookie, now + INTERVAL_S * 1000 - 1, INTERVAL_S)).toBe(false);
    expect(recheckDue(cookie, now + INTERVAL_S * 1000, INTERVAL_S)).toBe(true);
    expect(recheckDue(cookie, now - 1, INTERVAL_S)).toBe(true);
    // A Grantex without sessions: nothing to re-check.
    const noSession: MemberIdentity = { ...cookie, session: undefined, checkedAt: 0 };
    expect(recheckDue(noSession, now, INTERVAL_S)).toBe(false);
    // A session sealed without its id (before re-checks) cannot be re-checked: it ends, the member signs in again.
    const unversioned: MemberIdentity = { ...cookie, session: { ...cookie.session!, id: undefined } };
    expect(recheckDue(unversioned, now, INTERVAL_S)).toBe(true);
    expect(await recheckMember(unversioned, checkWith(stack.serviceUrl), now)).toEqual({ kind: 'ended' });
  });

  it('confirms an active session and re-seals it with the new times and the same end', async () => {
    const signedInAt = Date.now() - 60_000;
    const { cookie } = await signedInMember(signedInAt);
    const now = signedInAt + 60_000;
    const outcome = await recheckMember(cookie, checkWith(stack.serviceUrl), now);
    expect(outcome).toMatchObject({
      kind: 'active',
      identity: { verifiedAt: now, checkedAt: now, endsAt: cookie.endsAt },
    });
    if (outcome.kind !== 'active') throw new Error('unreachable');
    const resealed = (await readMemberSession(await sealMemberSession(outcome.identity, SECRET, now), SECRET))!;
    expect(resealed.endsAt).toBe(cookie.endsAt);
    expect(memberCookieMaxAge(resealed, now)).toBe(MEMBER_TTL_SECONDS - 60);
    expect(recheckDue(resealed, now + 1_000, INTERVAL_S)).toBe(false);
  });

  it("ends the member session once the SSO session is revoked, and a forged cookie naming another org's session gets nothing", async () => {
    const now = Date.now();
    const { org, signedIn, cookie } = await signedInMember(now);
    const other = await signedInMember(now);
    // The other org's live session id under this org's name: inactive, like an unknown one.
    const crossed = { ...cookie, session: { ...cookie.session!, id: other.signedIn.sessionId } };
    expect(await recheckMember(crossed, checkWith(stack.serviceUrl), now)).toEqual({ kind: 'ended' });

    await org.client.sso.sessions.revoke(signedIn.sessionId);
    expect(await recheckMember(cookie, checkWith(stack.serviceUrl), now + INTERVAL_S * 1000)).toEqual({
      kind: 'ended',
    });
  });

  it('tolerates an unreachable Grantex within the grace period after the last confirmation, then fails closed', async () => {
    const verifiedAt = Date.now();
    const { cookie } = await signedInMember(verifiedAt);
    const within = verifiedAt + (MEMBER_RECHECK_GRACE_SECONDS - 1) * 1000;
    const unconfirmed = await recheckMember(cookie, checkWith(deadUrl), within);
    // Asked again only after the interval; the last confirmation stays where it was.
    expect(unconfirmed).toMatchObject({ kind: 'unconfirmed', identity: { checkedAt: within, verifiedAt } });
    expect(await recheckMember(cookie, checkWith(deadUrl), verifiedAt + MEMBER_RECHECK_GRACE_SECONDS * 1000)).toEqual({
      kind: 'unavailable',
    });
    // Grantex back: the same cookie is confirmed again.
    expect(
      (await recheckMember(cookie, checkWith(stack.serviceUrl), verifiedAt + MEMBER_RECHECK_GRACE_SECONDS * 1000)).kind,
    ).toBe('active');
  });

  it('a Grantex without the check endpoint (404) keeps the session until the cookie ends, as before re-checks', async () => {
    const now = Date.now();
    const { cookie } = await signedInMember(now);
    const later = now + 2 * MEMBER_RECHECK_GRACE_SECONDS * 1000;
    expect(await recheckMember(cookie, checkWith(`${stack.serviceUrl}/no-such-api`), later)).toMatchObject({
      kind: 'unconfirmed',
      identity: { checkedAt: later, verifiedAt: now },
    });
  });
});
