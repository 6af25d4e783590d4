/**
 * POST /sso/callback/saml — the ACS URL the console gives SAML identity providers (HTTP-POST binding). The one
 * console route that accepts a cross-site POST: it reads the form, calls no one and sets nothing, and answers a
 * page that posts the same fields again from the console's own origin to /sso/callback/saml/continue, where the
 * login binding is checked (see lib/console/member-login/saml-acs-post.ts for why).
 */
import { randomUUID } from 'node:crypto';
import { NextResponse, type NextRequest } from 'next/server';
import { continuePage, readSamlPost } from '@/lib/console/member-login/saml-acs-post';
import { toErrorPage } from '@/lib/console/member-login/sso-redirects';
import { logSsoEvent } from '@/lib/console/utils/log';
import { SAML_TEXT } from '@/lib/console/messages';

export const dynamic = 'force-dynamic';

export async function POST(req: NextRequest) {
  const post = await readSamlPost(req);
  if ('problem' in post) {
    logSsoEvent('saml_acs', { requestId: randomUUID(), outcome: `refused_${post.problem}` });
    const message = post.problem === 'too_large' ? SAML_TEXT.responseTooLarge : SAML_TEXT.responseMissing;
    return toErrorPage('bad_request', null, { message, code: null, requestId: null });
  }
  return new NextResponse(continuePage(post, req.headers.get('x-nonce')), {
    status: 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    },
  });
}
