/**
 * The console's SAML ACS, in two steps (app/sso/callback/saml and …/saml/continue).
 *
 * Why two: the IdP's HTTP-POST binding is a cross-site form POST, and the console's login binding cookie is
 * SameSite=Lax, which browsers do not send on a cross-site POST. So the IdP-facing route checks nothing it cannot
 * check and calls no one: it answers a tiny page that posts the same two fields again, from the console's own
 * origin, to /sso/callback/saml/continue (automatically with JavaScript, with a Continue button without). That
 * second POST is same-origin, so the binding cookie arrives and is checked exactly as on the OIDC callback BEFORE
 * Grantex is called: a response this browser did not start (login CSRF) is refused without calling Grantex.
 * Nothing is stored in between; the response never leaves the browser that received it.
 */
import 'server-only';
import { z } from 'zod';
import { BodyTooLargeError, formDataCapped } from '../utils/capped-body';
import { safeConnectionId } from './sso-errors';

/** The service caps the SAMLResponse (base64) at 256 KB; a little room for the form encoding. */
export const SAML_FORM_MAX_BYTES = 600 * 1024;
const RELAY_STATE_MAX = 4096;

export const SAML_CONTINUE_PATH = '/sso/callback/saml/continue';

const samlFormSchema = z.object({
  SAMLResponse: z.string().min(1).max(SAML_FORM_MAX_BYTES),
  RelayState: z.string().max(RELAY_STATE_MAX).optional(),
});

export interface SamlPost {
  samlResponse: string;
  /** Absent (or empty): an IdP-initiated response. */
  relayState: string | null;
  /** The ACS URL's `?connection=` (names the connection of an IdP-initiated response). */
  connectionId: string | null;
}

export type SamlPostProblem = 'too_large' | 'missing';

/**
 * Reads what was posted, refusing oversized bodies before parsing them: the bytes are counted as they arrive
 * (chunked or not, whatever Content-Length says), and reading stops at the cap.
 */
export async function readSamlPost(req: Request): Promise<SamlPost | { problem: SamlPostProblem }> {
  let form: FormData;
  try {
    form = await formDataCapped(req, SAML_FORM_MAX_BYTES);
  } catch (err) {
    return { problem: err instanceof BodyTooLargeError ? 'too_large' : 'missing' };
  }
  const str = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const parsed = samlFormSchema.safeParse({ SAMLResponse: str('SAMLResponse'), RelayState: str('RelayState') });
  if (!parsed.success)
    return { problem: parsed.error.issues.some((i) => i.code === 'too_big') ? 'too_large' : 'missing' };
  const connectionId = safeConnectionId(new URL(req.url).searchParams.get('connection'));
  return { samlResponse: parsed.data.SAMLResponse, relayState: parsed.data.RelayState || null, connectionId };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page that posts the fields again from the console's origin (the nonce is the request's CSP nonce). */
export function continuePage(post: SamlPost, nonce: string | null): string {
  const action = post.connectionId
    ? `${SAML_CONTINUE_PATH}?connection=${encodeURIComponent(post.connectionId)}`
    : SAML_CONTINUE_PATH;
  const relay =
    post.relayState === null ? '' : `<input type="hidden" name="RelayState" value="${escapeHtml(post.relayState)}">`;
  const script = nonce
    ? `<script nonce="${escapeHtml(nonce)}">document.getElementById('saml-continue').submit();</script>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Signing in…</title></head>
<body style="font-family:system-ui,sans-serif;margin:2rem">
<main><h1 style="font-size:1.25rem">Signing in…</h1>
<form method="post" action="${escapeHtml(action)}" id="saml-continue">
<input type="hidden" name="SAMLResponse" value="${escapeHtml(post.samlResponse)}">${relay}
<noscript><p>JavaScript is off: continue to finish signing in.</p><button type="submit">Continue</button></noscript>
</form></main>
${script}
</body></html>`;
}
