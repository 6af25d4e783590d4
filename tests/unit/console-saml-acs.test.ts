import { describe, expect, it } from 'vitest';
import { continuePage, readSamlPost, SAML_CONTINUE_PATH, SAML_FORM_MAX_BYTES } from '@/lib/console/member-login/saml-acs-post';

const post = (body: string, query = '', headers: Record<string, string> = {}) =>
  new Request(`http://console.test/sso/callback/saml${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });

describe('console SAML ACS (first step)', () => {
  it('reads SAMLResponse, RelayState and the connection named by the ACS URL', async () => {
    const read = await readSamlPost(post('SAMLResponse=PHg%2B&RelayState=abc', '?connection=sso_1'));
    expect(read).toEqual({ samlResponse: 'PHg+', relayState: 'abc', connectionId: 'sso_1' });
  });

  it('treats an empty RelayState as none (IdP-initiated) and refuses a missing or oversized response', async () => {
    expect(await readSamlPost(post('SAMLResponse=x&RelayState='))).toMatchObject({ relayState: null, connectionId: null });
    expect(await readSamlPost(post('RelayState=abc'))).toEqual({ problem: 'missing' });
    expect(await readSamlPost(post('SAMLResponse=x', '', { 'content-length': String(SAML_FORM_MAX_BYTES + 1) }))).toEqual({ problem: 'too_large' });
    expect(await readSamlPost(post(`SAMLResponse=${'a'.repeat(SAML_FORM_MAX_BYTES + 1)}`))).toEqual({ problem: 'too_large' });
  });

  it('re-posts to the same-origin continue route with every value escaped (nothing posted becomes markup)', () => {
    const html = continuePage({ samlResponse: '"><script>alert(1)</script>', relayState: "x' onfocus='y", connectionId: 'sso_1' }, 'n0nce"');
    expect(html).toContain(`action="${SAML_CONTINUE_PATH}?connection=sso_1"`);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&#34;&#62;&#60;script&#62;');
    expect(html).toContain('value="x&#39; onfocus=&#39;y"');
    expect(html).toContain('nonce="n0nce&#34;"');
    // Without a nonce there is no script at all: the Continue button (noscript) still works.
    expect(continuePage({ samlResponse: 'x', relayState: null, connectionId: null }, null)).not.toContain('<script');
  });
});
