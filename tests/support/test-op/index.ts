/**
 * A programmable OpenID Provider for tests: node:http + jose, no login UI, every misbehaviour
 * one field away (see behaviour.ts). It is the one deliberate fake in the suite: it exists to be
 * an IdP that a real one would never agree to be.
 *
 *   const op = await startTestOp({ issuerPath: '/tenants/acme' });
 *   op.behave.idTokenClaims = { iss: 'https://evil.example' };
 *   const callback = await driveAuthorize(authorizationUrlFromTheRp);
 *
 * Vendor shapes are options too: `issuerTrailingSlash` (Auth0), `basicDecoding: 'raw'` (IdPs that
 * compare Basic credentials without decoding them), and `startTestOpHost()` + `addIssuer()` for
 * several issuers on one origin (Okta's org and custom authorization servers).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fetch } from 'undici';
import { defaultBehaviour, type AuthMethod, type Behaviour, type SigningAlg } from './behaviour';
import { authenticateClient, parseBasic, type BasicDecoding, type TestOpClient } from './client-auth';
import { issueIdToken, userinfoClaims } from './id-token';
import { KeyRing, type TestOpKey } from './keys';
import { applyMode, sendJson, sendText } from './respond';

export type { AuthMethod, Behaviour, EndpointMode, SigningAlg, SigningMode, TestUser } from './behaviour';
export { DEFAULT_USER, defaultBehaviour } from './behaviour';
export type { BasicDecoding, TestOpClient } from './client-auth';
export type { TestOpKey } from './keys';
export { BACKCHANNEL_EVENT, issueLogoutToken } from './logout-token';

export type Endpoint = 'discovery' | 'authorize' | 'token' | 'jwks' | 'userinfo' | 'other';

export interface RecordedRequest {
  at: number;
  endpoint: Endpoint;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Form body (token endpoint), as received. */
  form?: Record<string, string>;
  /** The Authorization header's Basic credentials after RFC 6749 form-decoding, when present and well-formed. */
  basic?: { clientId: string; clientSecret: string };
  /** The same credentials as sent (base64-decoded only), to assert the exact encoding. */
  basicRaw?: { clientId: string; clientSecret: string };
}

export interface TestOpOptions {
  /** Issuer path, e.g. '/tenants/acme' (no trailing slash). Default: none. */
  issuerPath?: string;
  /** The issuer ends in "/" (as Auth0's does: `https://tenant.auth0.com/`); endpoints stay below it. */
  issuerTrailingSlash?: boolean;
  /** Advertised and enforced token endpoint auth methods. Default: both. */
  authMethods?: AuthMethod[];
  /**
   * How the token endpoint reads Basic credentials: `form` (default) decodes them as RFC 6749 says,
   * `raw` compares the bytes as sent, like the IdPs that do not percent-decode them, `lemonldap` also reads the
   * base64 token only up to its first `+` or `/`.
   */
  basicDecoding?: BasicDecoding;
  /** Signing alg of the first key. Default RS256. */
  alg?: SigningAlg;
  /** /authorize refuses requests without a nonce. Default true. */
  requireNonce?: boolean;
  /** /authorize refuses requests without an S256 code_challenge. Default true. */
  requirePkce?: boolean;
  clients?: TestOpClient[];
  host?: string;
}

export interface TestOp {
  issuer: string;
  discoveryUrl: string;
  endpoints: { authorization: string; token: string; jwks: string; userinfo: string };
  /** Mutable: flip a field per test. `reset()` restores the defaults. */
  behave: Behaviour;
  /** Every request received, in order (including ones that then hang). */
  requests: RecordedRequest[];
  requestsTo(endpoint: Endpoint): RecordedRequest[];
  /** Mutable client registry; the first entry is the default client. */
  clients: TestOpClient[];
  authMethods: AuthMethod[];
  keys: TestOpKey[];
  /** Adds a new current signing key (new kid); the old one leaves the JWKS unless keepOld. */
  rotateKey(opts?: { alg?: SigningAlg; keepOld?: boolean }): Promise<TestOpKey>;
  /** Publishes an RSA key with `use: "enc"` next to the signing keys (see `signing: 'encryption-key'`). */
  addEncryptionKey(): Promise<TestOpKey>;
  /** Restores default behaviour and clears recorded requests (keys and clients stay). */
  reset(): void;
  /** Follows this OP's automatic /authorize redirect and returns the callback URL it points to. */
  driveAuthorize(authorizeUrl: string | URL): Promise<URL>;
  /** Stops the server this OP runs on (with every issuer mounted on it). */
  close(): Promise<void>;
}

/** One server (one origin) that can serve several issuers, e.g. Okta's org and custom authorization servers. */
export interface TestOpHost {
  origin: string;
  /** Mounts an issuer at `opts.issuerPath`; paths of mounted issuers must not collide. */
  addIssuer(opts?: Omit<TestOpOptions, 'host'>): Promise<TestOp>;
  close(): Promise<void>;
}

interface MountedIssuer {
  endpointOf(path: string): Endpoint;
  handle(req: IncomingMessage, res: ServerResponse, url: URL, endpoint: Endpoint): Promise<void>;
}

/** The default client's secret contains `:`, `%`, `+` and a space, so Basic form-encoding is proven. */
export const DEFAULT_TEST_CLIENT: Readonly<TestOpClient> = Object.freeze({
  clientId: 'test-op-client',
  clientSecret: 'test secret:with%special+chars',
  redirectUris: [],
});

interface IssuedAccessToken {
  sub: string;
  expiresAt: number;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  nonce?: string;
  codeChallenge?: string;
  expiresAt: number;
  used: boolean;
}

const CODE_TTL_MS = 60_000;
const MAX_FORM_BYTES = 64 * 1024;

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function redirectUriAllowed(client: TestOpClient, uri: string): boolean {
  if (client.redirectUris.length) return client.redirectUris.includes(uri);
  try {
    const url = new URL(uri);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.hash;
  } catch {
    return false;
  }
}

/** Starts one OP server with one issuer: the usual way to get a test OP. */
export async function startTestOp(opts: TestOpOptions = {}): Promise<TestOp> {
  const host = await startTestOpHost(opts.host);
  try {
    return await host.addIssuer(opts);
  } catch (err) {
    await host.close();
    throw err;
  }
}

export async function startTestOpHost(hostname = '127.0.0.1'): Promise<TestOpHost> {
  const mounted: MountedIssuer[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://test-op.invalid');
    let target: MountedIssuer | undefined;
    let endpoint: Endpoint = 'other';
    for (const m of mounted) {
      endpoint = m.endpointOf(url.pathname);
      if (endpoint !== 'other') {
        target = m;
        break;
      }
    }
    const owner = target ?? mounted[0];
    if (!owner) return sendText(res, 404, 'not found');
    owner.handle(req, res, url, endpoint).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'test OP internal error');
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Hanging and endless responses never finish on their own.
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  };

  return {
    origin,
    close,
    async addIssuer(opts = {}) {
      const { op, mount } = await mountIssuer(origin, opts, close);
      mounted.push(mount);
      return op;
    },
  };
}

async function mountIssuer(
  origin: string,
  opts: Omit<TestOpOptions, 'host'>,
  close: () => Promise<void>,
): Promise<{ op: TestOp; mount: MountedIssuer }> {
  const issuerPath = (opts.issuerPath ?? '').replace(/\/+$/, '');
  if (issuerPath && !issuerPath.startsWith('/')) throw new Error('issuerPath must start with /');
  const authMethods: AuthMethod[] = [...(opts.authMethods ?? ['client_secret_basic', 'client_secret_post'])];
  const basicDecoding = opts.basicDecoding ?? 'form';
  const requireNonce = opts.requireNonce ?? true;
  const requirePkce = opts.requirePkce ?? true;
  const clients: TestOpClient[] = (opts.clients ?? [DEFAULT_TEST_CLIENT]).map((c) => ({
    ...c,
    redirectUris: [...c.redirectUris],
  }));
  const keyRing = new KeyRing();
  await keyRing.rotate(opts.alg ?? 'RS256');

  const behave = defaultBehaviour();
  const requests: RecordedRequest[] = [];
  const codes = new Map<string, IssuedCode>();
  const accessTokens = new Map<string, IssuedAccessToken>();
  // Endpoints hang below the issuer; an issuer with a trailing slash does not double it.
  const base = `${origin}${issuerPath}`;
  const issuer = opts.issuerTrailingSlash ? `${base}/` : base;

  const paths = {
    discovery: `${issuerPath}/.well-known/openid-configuration`,
    authorize: `${issuerPath}/authorize`,
    token: `${issuerPath}/token`,
    jwks: `${issuerPath}/jwks`,
    userinfo: `${issuerPath}/userinfo`,
  };
  const endpointOf = (path: string): Endpoint =>
    (Object.entries(paths).find(([, p]) => p === path)?.[0] as Endpoint | undefined) ?? 'other';

  function discoveryDocument(): Record<string, unknown> {
    const algs = new Set<string>(keyRing.keys.filter((k) => k.published).map((k) => k.alg));
    // A hostile IdP advertises the algorithm it abuses, which is what tempts a permissive RP.
    if (behave.signing === 'none') algs.add('none');
    if (behave.signing === 'hs256-client-secret') algs.add('HS256');
    const doc: Record<string, unknown> = {
      issuer,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      jwks_uri: `${base}/jwks`,
      userinfo_endpoint: `${base}/userinfo`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [...algs],
      token_endpoint_auth_methods_supported: [...authMethods],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['openid', 'email', 'profile'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'email', 'email_verified', 'name'],
      authorization_response_iss_parameter_supported: behave.authorizeIss !== 'omit',
      ...behave.discoveryOverrides,
    };
    for (const field of behave.omitDiscoveryFields) delete doc[field];
    return doc;
  }

  function handleAuthorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const client = clients.find((c) => c.clientId === q.get('client_id'));
    const redirectUri = q.get('redirect_uri') ?? '';
    // Without a trusted client + redirect URI there is nowhere safe to send an error: show it here.
    if (!client) return sendText(res, 400, 'unknown client_id');
    if (!redirectUriAllowed(client, redirectUri)) return sendText(res, 400, 'redirect_uri is not registered');

    const back = new URL(redirectUri);
    const state = q.get('state');
    const finish = (params: Record<string, string>): void => {
      for (const [k, v] of Object.entries(params)) back.searchParams.set(k, v);
      if (state !== null) back.searchParams.set('state', state);
      if (behave.authorizeIss !== 'omit')
        back.searchParams.set('iss', behave.authorizeIss === 'issuer' ? issuer : behave.authorizeIss);
      for (const [k, v] of Object.entries(behave.authorizeExtraParams)) back.searchParams.set(k, v);
      res.writeHead(302, { location: back.href, 'content-length': 0 });
      res.end();
    };
    const fail = (error: string, description: string): void => finish({ error, error_description: description });

    if (q.get('response_type') !== 'code') return fail('unsupported_response_type', 'only response_type=code');
    if (!(q.get('scope') ?? '').split(' ').includes('openid')) return fail('invalid_scope', 'openid scope required');
    const challenge = q.get('code_challenge') ?? undefined;
    const method = q.get('code_challenge_method');
    if (challenge !== undefined && method !== 'S256')
      return fail('invalid_request', 'code_challenge_method must be S256');
    if (requirePkce && challenge === undefined) return fail('invalid_request', 'PKCE code_challenge required');
    const nonce = q.get('nonce') ?? undefined;
    if (requireNonce && nonce === undefined) return fail('invalid_request', 'nonce required');
    if (behave.authorizeError) {
      const { error, error_description } = behave.authorizeError;
      return finish({ error, ...(error_description !== undefined ? { error_description } : {}) });
    }

    const code = randomBytes(24).toString('base64url');
    codes.set(code, {
      clientId: client.clientId,
      redirectUri,
      nonce,
      codeChallenge: challenge,
      expiresAt: Date.now() + CODE_TTL_MS,
      used: false,
    });
    finish({ code });
  }

  async function handleToken(req: IncomingMessage, res: ServerResponse, record: RecordedRequest): Promise<void> {
    const raw = await readBody(req);
    const form = new URLSearchParams(raw);
    record.form = Object.fromEntries(form);
    if (applyMode(res, behave.token)) return;

    const tokenError = (status: number, error: string, description: string): void =>
      sendJson(
        res,
        status,
        { error, error_description: description },
        status === 401 ? { 'www-authenticate': 'Basic realm="test-op"' } : {},
      );

    if (req.method !== 'POST') return tokenError(405, 'invalid_request', 'POST required');
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return tokenError(400, 'invalid_request', 'form body required');
    }
    const auth = authenticateClient(req.headers, form, clients, authMethods, basicDecoding);
    if (!auth.ok) return tokenError(auth.status, auth.error, auth.description);
    if (form.get('grant_type') !== 'authorization_code')
      return tokenError(400, 'unsupported_grant_type', 'authorization_code only');

    const entry = codes.get(form.get('code') ?? '');
    if (!entry) return tokenError(400, 'invalid_grant', 'unknown code');
    if (entry.used) return tokenError(400, 'invalid_grant', 'code already used');
    // Any redemption attempt by the right client burns the code (RFC 6749 §4.1.2: use it once).
    if (entry.clientId !== auth.client.clientId)
      return tokenError(400, 'invalid_grant', 'code was issued to another client');
    entry.used = true;
    if (entry.expiresAt < Date.now()) return tokenError(400, 'invalid_grant', 'code expired');
    if (form.get('redirect_uri') !== entry.redirectUri)
      return tokenError(400, 'invalid_grant', 'redirect_uri mismatch');
    const verifier = form.get('code_verifier');
    if (entry.codeChallenge !== undefined) {
      if (!verifier || s256(verifier) !== entry.codeChallenge)
        return tokenError(400, 'invalid_grant', 'PKCE verification failed');
    } else if (verifier) {
      return tokenError(400, 'invalid_grant', 'code_verifier without code_challenge');
    }

    const idToken = await issueIdToken(
      { issuer, clientId: auth.client.clientId, clientSecret: auth.client.clientSecret, nonce: entry.nonce },
      behave,
      keyRing,
    );
    const accessToken = randomBytes(24).toString('base64url');
    accessTokens.set(accessToken, { sub: behave.user.sub, expiresAt: Date.now() + 300_000 });
    sendJson(res, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'openid email profile',
      id_token: idToken,
      ...behave.tokenResponseExtra,
    });
  }

  /** OIDC Core §5.3: the claims of the user the access token was issued for, to a Bearer token only. */
  function handleUserinfo(req: IncomingMessage, res: ServerResponse): void {
    if (applyMode(res, behave.userinfo)) return;
    const [scheme, token, ...rest] = (req.headers.authorization ?? '').split(' ');
    const grant = scheme?.toLowerCase() === 'bearer' && token && !rest.length ? accessTokens.get(token) : undefined;
    if (!grant || grant.expiresAt < Date.now()) {
      return sendJson(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    sendJson(res, 200, userinfoClaims(grant.sub, behave));
  }

  function record(req: IncomingMessage, url: URL, endpoint: Endpoint): RecordedRequest {
    const basic = parseBasic(req.headers.authorization);
    const basicRaw = parseBasic(req.headers.authorization, 'raw');
    const entry: RecordedRequest = {
      at: Date.now(),
      endpoint,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      ...(basic && basic !== 'malformed' ? { basic } : {}),
      ...(basicRaw && basicRaw !== 'malformed' ? { basicRaw } : {}),
    };
    requests.push(entry);
    return entry;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, endpoint: Endpoint): Promise<void> {
    const entry = record(req, url, endpoint);
    const delay = endpoint === 'authorize' || endpoint === 'other' ? undefined : behave.delayMs[endpoint];
    if (delay !== undefined && delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    switch (endpoint) {
      case 'discovery':
        if (!applyMode(res, behave.discovery)) sendJson(res, 200, discoveryDocument());
        return;
      case 'jwks':
        if (!applyMode(res, behave.jwks)) sendJson(res, 200, keyRing.publishedJwks({ omitUse: behave.jwksOmitUse }));
        return;
      case 'authorize':
        return handleAuthorize(url, res);
      case 'token':
        return handleToken(req, res, entry);
      case 'userinfo':
        return handleUserinfo(req, res);
      default:
        sendText(res, 404, 'not found');
    }
  }

  const op: TestOp = {
    issuer,
    discoveryUrl: `${base}/.well-known/openid-configuration`,
    endpoints: {
      authorization: `${base}/authorize`,
      token: `${base}/token`,
      jwks: `${base}/jwks`,
      userinfo: `${base}/userinfo`,
    },
    behave,
    requests,
    requestsTo: (endpoint) => requests.filter((r) => r.endpoint === endpoint),
    clients,
    authMethods,
    keys: keyRing.keys,
    rotateKey: ({ alg, keepOld } = {}) => keyRing.rotate(alg, keepOld),
    addEncryptionKey: () => keyRing.addEncryptionKey(),
    reset() {
      for (const key of Object.keys(behave)) delete (behave as unknown as Record<string, unknown>)[key];
      Object.assign(behave, defaultBehaviour());
      requests.length = 0;
    },
    driveAuthorize,
    close,
  };
  return { op, mount: { endpointOf, handle } };
}

/**
 * Requests the OP's authorization URL (as built by the relying party) and returns where the OP's
 * automatic 302 points: the RP callback with `code`/`state`/`iss`, or with `error`.
 */
export async function driveAuthorize(authorizeUrl: string | URL): Promise<URL> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status < 300 || res.status >= 400 || !location) {
    const text = (await res.text()).slice(0, 200);
    throw new Error(`test OP /authorize answered ${res.status} without a redirect: ${text}`);
  }
  await res.body?.cancel();
  return new URL(location, authorizeUrl);
}
