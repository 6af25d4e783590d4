/**
 * The dev IdP's SAML side, on the same HTTP server as its OpenID Provider:
 *   GET  /saml/metadata                      IdP metadata (entity ID = this URL)
 *   GET  /saml/sso?SAMLRequest&RelayState     HTTP-Redirect AuthnRequest in → login page
 *   POST /saml/interaction/:uid/login        seeded users; success → auto-posting form to the ACS (signed assertion,
 *                                            encrypted when the SP's metadata at its entity ID lists an encryption key)
 *   POST /saml/interaction/:uid/abort        → auto-posting form with an AuthnFailed Response
 * AuthnRequest signatures are not checked (development only); the ACS URL must be on loopback or listed.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, page } from '../html';
import { FormTooLarge, loginFormSchema, readForm, send, WRONG_CREDENTIALS } from '../interactions';
import { renderErrorPage, renderLoginPage } from '../login-page';
import { DEMO_USERS, findUserByCredentials, type DemoUser } from '../users';
import { encryptAssertion, spEncryptionCertificate } from './encryption';
import type { SamlSigningKey } from './keys';
import {
  BadAuthnRequest,
  buildFailureResponseXml,
  buildResponseXml,
  idpMetadataXml,
  parseRedirectAuthnRequest,
  signElement,
  type AuthnRequest,
} from './messages';

const PENDING_TTL_MS = 10 * 60 * 1000;
const MAX_PENDING = 1000;
const MAX_RELAY_STATE = 2048;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const ROUTE = /^\/saml\/interaction\/([A-Za-z0-9_-]{1,64})\/(login|abort)$/;
const AUTO_POST_SCRIPT = 'document.getElementById("saml-post").submit();';
const AUTO_POST_SCRIPT_HASH = createHash('sha256').update(AUTO_POST_SCRIPT).digest('base64');

export interface DevSamlIdpOptions {
  /** The dev IdP's base URL (its OIDC issuer). */
  baseUrl: string;
  key: SamlSigningKey;
  /** ACS URLs allowed besides any on loopback. */
  acsUrls?: readonly string[];
}

export interface DevSamlIdpInfo {
  entityId: string;
  metadataUrl: string;
  ssoUrl: string;
  certificatePem: string;
}

interface Pending {
  request: AuthnRequest;
  relayState: string | null;
  expires: number;
}

export function devSamlIdpInfo(baseUrl: string, key: SamlSigningKey): DevSamlIdpInfo {
  const base = baseUrl.replace(/\/$/, '');
  return {
    entityId: `${base}/saml/metadata`,
    metadataUrl: `${base}/saml/metadata`,
    ssoUrl: `${base}/saml/sso`,
    certificatePem: key.certificatePem,
  };
}

/** An auto-submitting form (with a button for browsers without JavaScript), the HTTP-POST binding. */
function autoPostPage(acsUrl: string, samlResponseXml: string, relayState: string | null): string {
  const relay = relayState === null ? '' : `<input type="hidden" name="RelayState" value="${escapeHtml(relayState)}">`;
  return page(
    'Signing in – Dev IdP',
    `<h1>Signing in…</h1>
<form method="post" action="${escapeHtml(acsUrl)}" id="saml-post">
<input type="hidden" name="SAMLResponse" value="${Buffer.from(samlResponseXml, 'utf8').toString('base64')}">${relay}
<noscript><button type="submit" class="primary">Continue</button></noscript>
</form>
<script>${AUTO_POST_SCRIPT}</script>`,
  );
}

function sendAutoPost(res: ServerResponse, html: string): void {
  // The default policy forbids scripts; this page runs exactly one, allowed by its hash.
  send(
    res,
    200,
    html,
    `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${AUTO_POST_SCRIPT_HASH}'; frame-ancestors 'none'; base-uri 'none'`,
  );
}

function userAttributes(user: DemoUser): Record<string, string[]> {
  return { email: [user.email], displayName: [user.name], uid: [user.username], groups: [...user.groups] };
}

export function createSamlHandler({ baseUrl, key, acsUrls = [] }: DevSamlIdpOptions) {
  const info = devSamlIdpInfo(baseUrl, key);
  const pending = new Map<string, Pending>();

  const acsAllowed = (acsUrl: string) => {
    const url = new URL(acsUrl);
    return acsUrls.includes(acsUrl) || (/^https?:$/.test(url.protocol) && LOOPBACK_HOSTS.has(url.hostname));
  };
  const take = (uid: string): Pending | undefined => {
    const entry = pending.get(uid);
    pending.delete(uid);
    return entry && entry.expires > Date.now() ? entry : undefined;
  };
  const remember = (entry: Pending): string => {
    for (const [uid, old] of pending) if (old.expires <= Date.now() || pending.size >= MAX_PENDING) pending.delete(uid);
    const uid = randomBytes(16).toString('base64url');
    pending.set(uid, entry);
    return uid;
  };
  const loginPage = (uid: string, request: AuthnRequest, extra: { username?: string; error?: string } = {}) =>
    renderLoginPage({
      uid,
      clientName: request.issuer,
      users: DEMO_USERS,
      basePath: `/saml/interaction/${uid}`,
      ...extra,
    });

  return async function handleSaml(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://dev-idp.invalid');
    if (req.method === 'GET' && url.pathname === '/saml/metadata') {
      res.statusCode = 200;
      res.setHeader('content-type', 'application/samlmetadata+xml; charset=utf-8');
      res.end(idpMetadataXml(info.entityId, info.ssoUrl, key.certificatePem));
      return true;
    }
    if (req.method === 'GET' && url.pathname === '/saml/sso') {
      const relayState = url.searchParams.get('RelayState');
      try {
        const request = parseRedirectAuthnRequest(url.searchParams.get('SAMLRequest') ?? '');
        if (!acsAllowed(request.acsUrl))
          throw new BadAuthnRequest(
            'The AssertionConsumerServiceURL is not allowed by this dev IdP (loopback only, or DevIdpOptions.samlAcsUrls).',
          );
        if (relayState !== null && relayState.length > MAX_RELAY_STATE)
          throw new BadAuthnRequest('The RelayState is too long.');
        const uid = remember({ request, relayState, expires: Date.now() + PENDING_TTL_MS });
        send(res, 200, loginPage(uid, request));
      } catch (err) {
        const detail = err instanceof BadAuthnRequest ? err.message : 'The SAML request could not be read.';
        send(res, 400, renderErrorPage('Bad SAML request', detail));
      }
      return true;
    }
    const match = ROUTE.exec(url.pathname);
    if (!match || req.method !== 'POST') return false;
    const uid = match[1]!;
    const entry = take(uid);
    if (!entry) {
      send(
        res,
        400,
        renderErrorPage(
          'Sign-in expired',
          'This sign-in request is no longer valid. Start again from the application.',
        ),
      );
      return true;
    }
    const { request, relayState } = entry;
    if (match[2] === 'abort') {
      sendAutoPost(
        res,
        autoPostPage(
          request.acsUrl,
          buildFailureResponseXml({ idpEntityId: info.entityId, acsUrl: request.acsUrl, inResponseTo: request.id }),
          relayState,
        ),
      );
      return true;
    }
    let form: URLSearchParams;
    try {
      form = await readForm(req);
    } catch (err) {
      if (!(err instanceof FormTooLarge)) throw err;
      send(res, 413, renderErrorPage('Request too large', 'The sign-in form was too large.'));
      return true;
    }
    const { username, password } = loginFormSchema.parse(Object.fromEntries(form));
    const user = findUserByCredentials(username, password);
    if (!user) {
      const again = remember(entry);
      send(res, 200, loginPage(again, request, { username, error: WRONG_CREDENTIALS }));
      return true;
    }
    const assertionId = `_${randomBytes(20).toString('hex')}`;
    const xml = buildResponseXml({
      idpEntityId: info.entityId,
      spEntityId: request.issuer,
      acsUrl: request.acsUrl,
      inResponseTo: request.id,
      nameId: user.sub,
      attributes: userAttributes(user),
      assertionId,
    });
    const signed = signElement(xml, { id: assertionId, key });
    // An SP whose metadata lists an encryption key gets the signed assertion encrypted to it.
    const encryptTo = await spEncryptionCertificate(request.issuer);
    const response = encryptTo ? await encryptAssertion(signed, encryptTo) : signed;
    sendAutoPost(res, autoPostPage(request.acsUrl, response, relayState));
    return true;
  };
}
