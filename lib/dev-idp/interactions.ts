import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { renderErrorPage, renderLoginPage } from './login-page';
import { DEMO_USERS, findUserByCredentials } from './users';

export const WRONG_CREDENTIALS = 'Wrong username or password';

const MAX_FORM_BYTES = 16 * 1024;

export const loginFormSchema = z.object({
  username: z.string().max(200).default(''),
  password: z.string().max(1024).default(''),
});

export class FormTooLarge extends Error {}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new FormTooLarge();
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The page is inline-styled and script-free; forbid everything else, including framing (clickjacking).
 * No form-action: browsers apply it to the redirect chain after the post, which ends at the RP's origin. */
const DEFAULT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

export function send(res: ServerResponse, status: number, html: string, csp = DEFAULT_CSP): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-security-policy', csp);
  res.setHeader('x-frame-options', 'DENY');
  res.end(html);
}

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|abort))?$/;

/**
 * Handles the provider's interaction URLs (`/interaction/:uid[/login|/abort]`).
 * Returns false for paths it does not own so the caller can hand them to the provider.
 */
export function createInteractionHandler(getProvider: () => Provider) {
  return async function handleInteraction(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = new URL(req.url ?? '/', 'http://dev-idp.invalid').pathname;
    const match = ROUTE.exec(path);
    if (!match) return false;
    const action = match[2];
    const provider = getProvider();

    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== match[1]) {
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
      const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : '';
      const client = await provider.Client.find(clientId);
      const clientName = client?.clientName ?? clientId;

      if (req.method === 'GET' && !action) {
        if (details.prompt.name === 'consent') {
          // Only reachable when a grant is missing; first-party dev client, so grant what was asked.
          await finishConsent(provider, req, res, details);
          return true;
        }
        const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
        send(res, 200, renderLoginPage({ uid: details.uid, clientName, username: hint, users: DEMO_USERS }));
        return true;
      }

      if (req.method === 'POST' && action === 'abort') {
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
          { mergeWithLastSubmission: false },
        );
        return true;
      }

      if (req.method === 'POST' && action === 'login') {
        const form = loginFormSchema.safeParse(Object.fromEntries(await readForm(req)));
        const { username, password } = form.success ? form.data : { username: '', password: '' };
        const user = findUserByCredentials(username, password);
        if (!user) {
          // 200, not 401: a re-rendered form is a normal page, and browsers log 4xx documents as console errors.
          send(
            res,
            200,
            renderLoginPage({ uid: details.uid, clientName, username, error: WRONG_CREDENTIALS, users: DEMO_USERS }),
          );
          return true;
        }
        // Each sign-in starts a fresh IdP session: switching users in one browser would otherwise make
        // oidc-provider end the old session through a JavaScript-only auto-submit page.
        if (details.session) {
          const previous = await provider.Session.find(details.session.cookie);
          // Unbind the interaction first: oidc-provider refuses to finish one whose session vanished.
          details.session = undefined;
          await details.save(Math.max(1, details.exp - Math.floor(Date.now() / 1000)));
          await previous?.destroy();
        }
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: user.sub, amr: ['pwd'] } },
          { mergeWithLastSubmission: false },
        );
        return true;
      }

      res.statusCode = 405;
      res.setHeader('allow', action ? 'POST' : 'GET');
      res.end();
      return true;
    } catch (err) {
      if (err instanceof FormTooLarge) {
        send(res, 413, renderErrorPage('Request too large', 'The submitted form is too large.'));
        return true;
      }
      // SessionNotFound and friends: the interaction cookie is missing or expired.
      const name = err instanceof Error ? err.name : 'Error';
      const status = name === 'SessionNotFound' ? 400 : 500;
      if (!res.headersSent) {
        send(
          res,
          status,
          renderErrorPage(
            'Sign-in expired',
            status === 400
              ? 'This sign-in request is no longer valid. Start again from the application.'
              : 'Something went wrong. Start again from the application.',
          ),
        );
      }
      return true;
    }
  };
}

async function finishConsent(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  details: Awaited<ReturnType<Provider['interactionDetails']>>,
): Promise<void> {
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id;
  if (!accountId || typeof clientId !== 'string') {
    send(res, 400, renderErrorPage('Sign-in expired', 'Start again from the application.'));
    return;
  }
  const grant = details.grantId
    ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }))
    : new provider.Grant({ accountId, clientId });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope);
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}
