/**
 * The IdP mix-up across tenants (cross-tenant account takeover), played end to end against the real stack.
 *
 * Org A (the victim's organization) signs its members in through an honest OP that sends no RFC 9207 `iss` in
 * its authorization response (Entra ID and others do not). Org B (the attacker's organization) connects its own
 * OP. The attacker starts a login at org A in its own browser and stops at A's IdP, keeping A's client_id,
 * redirect_uri, nonce and code_challenge (its browser keeps the login's binding). It lures a member of org A to
 * `/login?org=<B>`. B's authorize endpoint sends the member on to A's IdP with A's parameters and the member's
 * state for B. A's IdP signs the member in and sends A's code back to A's redirect URI with that state.
 *
 * Without the defence, the service would see B's state and send A's code to B's token endpoint; the attacker
 * would finish its own org-A login with it and be signed in as the member. With it, the console sees that the
 * login came back to another address than the one its authorization request named and stops before Grantex
 * (and Grantex refuses a redirect_uri that is not the state's connection's). The assertions are the attack's
 * outcome: B's OP never sees the code, A's token endpoint never gets it, nobody is signed in.
 *
 * The honest OP is the programmable test OP (tests/support/test-op) with `iss` omitted; B's OP is a small
 * recording server here. Both run on loopback (the stack runs in dev mode, which allows loopback issuers). A
 * second case puts LemonLDAP::NG (a real OP, its own login page) in the honest OP's place when one is running
 * (`npm run test:interop`), and skips otherwise.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { startTestOp, type TestOp } from '../tests/support/test-op';
import { test, expect, MemberLoginPage } from './fixtures';
import { signUp, type Org } from './support/grantex-api';
import { expectNoAxeViolations } from './support/axe';
import { LemonLdapLoginPage } from './pages/lemonldap-login-page';
import { readInteropEnv } from '../scripts/interop/env';

test.skip(Boolean(process.env.E2E_BASE_URL), 'needs loopback OPs the local stack can reach');

const VICTIM = {
  sub: 'victim-member-1',
  email: 'victim@org-a.example',
  email_verified: true,
  name: 'Victim Member',
} as const;

const key = () => randomBytes(16).toString('base64url');

async function createOidcConnection(
  grantexUrl: string,
  org: Org,
  body: Record<string, unknown>,
): Promise<{ id: string; redirectUri: string }> {
  const res = await fetch(`${grantexUrl}/v1/sso/connections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: 'oidc', status: 'active', jitProvisioning: true, ...body }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; redirectUri: string };
}

interface SeenRequest {
  method: string;
  url: string;
  body: string;
}

/**
 * Org B's OP. Discovery and JWKS like any OP; its authorize endpoint bounces the browser to A's IdP with the
 * parameters of the attacker's own unfinished org-A login (`bounceTo`) and the victim's state; its token
 * endpoint answers invalid_grant. Every request is recorded, body included.
 */
async function startAttackerOp(): Promise<{
  origin: string;
  seen: SeenRequest[];
  bounceTo: { url: URL | null };
  close(): Promise<void>;
}> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'attacker-1', alg: 'RS256', use: 'sig' };
  const seen: SeenRequest[] = [];
  const bounceTo: { url: URL | null } = { url: null };
  let origin = '';
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      seen.push({ method: req.method ?? 'GET', url: req.url ?? '/', body });
      const url = new URL(req.url ?? '/', origin);
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (url.pathname === '/.well-known/openid-configuration') {
        return json(200, {
          issuer: origin,
          authorization_endpoint: `${origin}/authorize`,
          token_endpoint: `${origin}/token`,
          jwks_uri: `${origin}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
          scopes_supported: ['openid', 'email', 'profile'],
        });
      }
      if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
      if (url.pathname === '/token') return json(400, { error: 'invalid_grant' });
      if (url.pathname === '/authorize' && bounceTo.url) {
        // A's IdP, with everything from the attacker's own org-A login but the state: the victim's, for org B.
        const next = new URL(bounceTo.url);
        const state = url.searchParams.get('state');
        if (state) next.searchParams.set('state', state);
        res.writeHead(302, { location: next.href });
        return res.end();
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    bounceTo,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function newPage(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL });
  return { context, page: await context.newPage() };
}

/** The `code` values a browser carried to the console's callback addresses. */
function recordCallbackCodes(page: Page): string[] {
  const codes: string[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith('/sso/callback') && url.searchParams.get('code'))
      codes.push(url.searchParams.get('code')!);
  });
  return codes;
}

/**
 * The attacker's own login at `org`, stopped where the IdP would take over: the console's answer is kept (its
 * binding cookie included, as the browser would have stored it), the redirect to the IdP is not followed.
 * Returns the IdP authorization URL the console sent the browser to.
 */
async function startLoginAndStop(
  attacker: { context: BrowserContext; page: Page },
  org: Org,
  baseUrl: string,
): Promise<URL> {
  let authorize: URL | null = null;
  await attacker.page.route('**/sso/start', async (route) => {
    // The headers the browser sent with the form (Origin is not always visible to the route).
    const response = await route.fetch({ maxRedirects: 0, headers: { ...route.request().headers(), origin: baseUrl } });
    authorize = new URL(response.headers().location ?? 'about:blank');
    const cookies = response.headersArray().filter((h) => h.name.toLowerCase() === 'set-cookie');
    await attacker.context.addCookies(
      cookies.map(({ value }) => {
        const [pair = ''] = value.split(';');
        const at = pair.indexOf('=');
        return {
          name: pair.slice(0, at).trim(),
          value: pair.slice(at + 1).trim(),
          domain: new URL(baseUrl).hostname,
          path: '/sso',
          httpOnly: true,
          sameSite: 'Lax' as const,
        };
      }),
    );
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<title>stopped</title><p>stopped</p>' });
  });
  await attacker.page.goto(`/login?org=${encodeURIComponent(org.developerId)}`);
  await new MemberLoginPage(attacker.page).continueButton().click();
  await expect(attacker.page.getByText('stopped')).toBeVisible();
  await attacker.page.unroute('**/sso/start');
  expect((await attacker.context.cookies()).some((c) => c.name.includes('gx_sso_bind_'))).toBe(true);
  if (!authorize) throw new Error('the console did not answer /sso/start with a redirect');
  return authorize;
}

for (const attackerRedirect of ['its own redirect URI', 'the shared redirect URI'] as const) {
  test.describe(`IdP mix-up: the attacker's connection uses ${attackerRedirect}`, () => {
    let honest: TestOp;
    let attackerOp: Awaited<ReturnType<typeof startAttackerOp>>;

    test.beforeEach(async () => {
      attackerOp = await startAttackerOp();
    });
    test.afterEach(async () => {
      await honest?.close();
      await attackerOp?.close();
    });

    test('a member lured to the attacker org’s login is signed in nowhere, and the attacker gets no code', async ({
      browser,
      e2e,
    }) => {
      const suffix = randomBytes(4).toString('hex');
      const orgA = await signUp(e2e.grantexUrl, `mix-up victim org ${suffix}`);
      const orgB = await signUp(e2e.grantexUrl, `mix-up attacker org ${suffix}`);

      // Org A: an honest OP that sends no `iss`, registered at A's own redirect URI.
      const redirectA = `${e2e.baseUrl}/sso/callback/${key()}`;
      const clientA = {
        clientId: `org-a-app-${suffix}`,
        clientSecret: `org-a-secret-${suffix}`,
        redirectUris: [redirectA],
      };
      honest = await startTestOp({ clients: [clientA] });
      honest.behave.authorizeIss = 'omit';
      honest.behave.user = { ...VICTIM };
      await createOidcConnection(e2e.grantexUrl, orgA, {
        name: 'Org A IdP',
        issuerUrl: honest.issuer,
        clientId: clientA.clientId,
        clientSecret: clientA.clientSecret,
        redirectUri: redirectA,
      });

      // Org B: the attacker's OP.
      const redirectB =
        attackerRedirect === 'its own redirect URI'
          ? `${e2e.baseUrl}/sso/callback/${key()}`
          : `${e2e.baseUrl}/sso/callback`;
      await createOidcConnection(e2e.grantexUrl, orgB, {
        name: 'Attacker IdP',
        issuerUrl: attackerOp.origin,
        clientId: 'org-b-app',
        clientSecret: 'org-b-secret',
        redirectUri: redirectB,
      });

      // The attacker starts a login at org A in its own browser and stops where A's IdP would take over.
      const attacker = await newPage(browser, e2e.baseUrl);
      const copied = await startLoginAndStop(attacker, orgA, e2e.baseUrl);
      expect(copied.searchParams.get('client_id')).toBe(clientA.clientId);
      expect(copied.searchParams.get('redirect_uri')).toBe(redirectA);
      const attackerState = copied.searchParams.get('state')!;
      attackerOp.bounceTo.url = copied;

      // The victim follows the attacker's link. The page says whose login it is.
      const victim = await newPage(browser, e2e.baseUrl);
      const victimCodes = recordCallbackCodes(victim.page);
      await victim.page.goto(`/login?org=${encodeURIComponent(orgB.developerId)}`);
      await expect(victim.page.getByRole('heading', { level: 1 })).toHaveText(`Sign in to ${orgB.name} with SSO`);
      await expectNoAxeViolations(victim.page, '/login?org= (named organization)');
      await new MemberLoginPage(victim.page).continueButton().click();

      // A's IdP signed the victim in and sent A's code to A's redirect URI: the bounce happened.
      await victim.page.waitForURL(/\/sso\/error\?/);
      expect(victimCodes).toHaveLength(1);
      const victimCode = victimCodes[0]!;
      expect(honest.requestsTo('authorize').some((r) => r.query.state && r.query.state !== attackerState)).toBe(true);

      // B's OP never saw the code, anywhere, and its token endpoint got nothing at all.
      for (const request of attackerOp.seen) {
        expect(request.url).not.toContain(victimCode);
        expect(request.body).not.toContain(victimCode);
      }
      expect(attackerOp.seen.filter((r) => r.url.startsWith('/token'))).toEqual([]);
      // Nobody redeemed the victim's code at A's IdP either.
      expect(honest.requestsTo('token').filter((r) => r.form?.code === victimCode)).toEqual([]);

      // The attacker tries to finish its own org-A login with whatever it holds: nothing that signs anyone in.
      const held = attackerOp.seen.flatMap((r) => [
        ...new URL(r.url, attackerOp.origin).searchParams.getAll('code'),
        ...new URLSearchParams(r.body).getAll('code'),
      ]);
      for (const code of held.length > 0 ? held : ['no-code-held']) {
        await attacker.page.goto(
          `${redirectA}?code=${encodeURIComponent(code)}&state=${encodeURIComponent(attackerState)}`,
        );
        await expect(attacker.page).not.toHaveURL(/\/member$/);
      }
      await attacker.page.goto('/member');
      await expect(attacker.page.getByText('You are not signed in')).toBeVisible();
      expect(honest.requestsTo('token').filter((r) => r.form?.code === victimCode)).toEqual([]);

      // The victim sees a clear error page, and is signed in nowhere.
      await expect(victim.page).toHaveURL(/\/sso\/error\?code=wrong_callback$/);
      const alert = victim.page.locator('main').getByRole('alert');
      await expect(alert).toContainText('This sign-in came back to another connection’s address');
      await expect(alert).toContainText('Nobody was signed in.');
      // "Start over" does not lead back into the login the member was lured to.
      await expect(victim.page.getByRole('link', { name: 'Start over' })).toHaveAttribute('href', '/login');
      await expectNoAxeViolations(victim.page, '/sso/error?code=wrong_callback');
      await victim.page.goto('/member');
      await expect(victim.page.getByText('You are not signed in')).toBeVisible();

      await attacker.context.close();
      await victim.context.close();
    });
  });
}

const lemon = readInteropEnv();

test.describe('IdP mix-up with LemonLDAP::NG as org A’s identity provider', () => {
  test.skip(!lemon, 'No interop IdP running: `npm run test:interop` starts LemonLDAP::NG.');
  let attackerOp: Awaited<ReturnType<typeof startAttackerOp>>;
  test.beforeEach(async () => {
    attackerOp = await startAttackerOp();
  });
  test.afterEach(async () => {
    await attackerOp?.close();
  });

  test('a member bounced to LemonLDAP through the attacker org’s OP signs in nowhere; the attacker gets no code', async ({
    browser,
    e2e,
  }) => {
    if (!lemon) throw new Error('unreachable: skipped above');
    const suffix = randomBytes(4).toString('hex');
    const orgA = await signUp(e2e.grantexUrl, `mix-up LemonLDAP victim org ${suffix}`);
    const orgB = await signUp(e2e.grantexUrl, `mix-up LemonLDAP attacker org ${suffix}`);
    // LemonLDAP registers exact URIs; its connection for this run's other spec owns /sso/callback/interop-lemonldap,
    // so org A is a connection that has not moved yet (the shared URI) and the attacker's is on its own.
    await createOidcConnection(e2e.grantexUrl, orgA, {
      name: 'LemonLDAP',
      issuerUrl: lemon.issuer,
      clientId: lemon.clientId,
      clientSecret: lemon.clientSecret,
      redirectUri: `${e2e.baseUrl}/sso/callback`,
    });
    await createOidcConnection(e2e.grantexUrl, orgB, {
      name: 'Attacker IdP',
      issuerUrl: attackerOp.origin,
      clientId: 'org-b-app',
      clientSecret: 'org-b-secret',
      redirectUri: `${e2e.baseUrl}/sso/callback/${key()}`,
    });

    const attacker = await newPage(browser, e2e.baseUrl);
    const copied = await startLoginAndStop(attacker, orgA, e2e.baseUrl);
    const attackerState = copied.searchParams.get('state')!;
    attackerOp.bounceTo.url = copied;

    const victim = await newPage(browser, e2e.baseUrl);
    const victimCodes = recordCallbackCodes(victim.page);
    await victim.page.goto(`/login?org=${encodeURIComponent(orgB.developerId)}`);
    await expect(victim.page.getByRole('heading', { level: 1 })).toHaveText(`Sign in to ${orgB.name} with SSO`);
    await new MemberLoginPage(victim.page).continueButton().click();
    // The victim signs in on LemonLDAP's own page (it is org A's real IdP), which sends A's code back.
    await new LemonLdapLoginPage(victim.page).signIn(lemon.user, lemon.issuer);
    await victim.page.waitForURL(/\/sso\/error\?/);
    expect(victimCodes).toHaveLength(1);
    const victimCode = victimCodes[0]!;

    for (const request of attackerOp.seen) {
      expect(request.url).not.toContain(victimCode);
      expect(request.body).not.toContain(victimCode);
    }
    expect(attackerOp.seen.filter((r) => r.url.startsWith('/token'))).toEqual([]);
    await attacker.page.goto(
      `${e2e.baseUrl}/sso/callback?code=no-code-held&state=${encodeURIComponent(attackerState)}`,
    );
    await attacker.page.goto('/member');
    await expect(attacker.page.getByText('You are not signed in')).toBeVisible();

    await expect(victim.page).toHaveURL(/\/sso\/error\?code=wrong_callback$/);
    await victim.page.goto('/member');
    await expect(victim.page.getByText('You are not signed in')).toBeVisible();
    await attacker.context.close();
    await victim.context.close();
  });
});

test.describe('per-connection callback address', () => {
  test('an address that is no connection key is refused without a sign-in attempt', async ({ page }) => {
    await page.goto('/sso/callback/short?code=x&state=y');
    await expect(page).toHaveURL(/\/sso\/error\?code=bad_request$/);
  });
});
