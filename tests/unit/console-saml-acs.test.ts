import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, formDataCapped } from '@/lib/console/utils/capped-body';
import { START_FORM_MAX_BYTES } from '@/lib/console/member-login/start-limit';
import {
  continuePage,
  readSamlPost,
  SAML_CONTINUE_PATH,
  SAML_FORM_MAX_BYTES,
} from '@/lib/console/member-login/saml-acs-post';

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
    expect(await readSamlPost(post('SAMLResponse=x&RelayState='))).toMatchObject({
      relayState: null,
      connectionId: null,
    });
    expect(await readSamlPost(post('RelayState=abc'))).toEqual({ problem: 'missing' });
    expect(
      await readSamlPost(post('SAMLResponse=x', '', { 'content-length': String(SAML_FORM_MAX_BYTES + 1) })),
    ).toEqual({ problem: 'too_large' });
    expect(await readSamlPost(post(`SAMLResponse=${'a'.repeat(SAML_FORM_MAX_BYTES + 1)}`))).toEqual({
      problem: 'too_large',
    });
  });

  it('re-posts to the same-origin continue route with every value escaped (nothing posted becomes markup)', () => {
    const html = continuePage(
      { samlResponse: '"><script>alert(1)</script>', relayState: "x' onfocus='y", connectionId: 'sso_1' },
      'n0nce"',
    );
    expect(html).toContain(`action="${SAML_CONTINUE_PATH}?connection=sso_1"`);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&#34;&#62;&#60;script&#62;');
    expect(html).toContain('value="x&#39; onfocus=&#39;y"');
    expect(html).toContain('nonce="n0nce&#34;"');
    // Without a nonce there is no script at all: the Continue button (noscript) still works.
    expect(continuePage({ samlResponse: 'x', relayState: null, connectionId: null }, null)).not.toContain('<script');
  });
});

describe('console SAML ACS body cap: bytes are counted, Content-Length is not trusted', () => {
  /** A chunked body (no Content-Length) of `chunks` × 64 KB; `pulled` counts what the reader took. */
  function chunkedPost(chunks: number, headers: Record<string, string> = {}) {
    const piece = new TextEncoder().encode('a'.repeat(64 * 1024));
    let sent = 0;
    const counter = { pulled: 0 };
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('SAMLResponse='));
        if (sent >= chunks) return controller.close();
        sent += 1;
        counter.pulled += piece.byteLength;
        controller.enqueue(piece);
      },
    });
    const req = new Request('http://console.test/sso/callback/saml', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
      duplex: 'half',
    } as RequestInit);
    return { req, counter };
  }

  it('refuses a chunked oversized body and stops reading at the cap (a 10 MB body is not read to its end)', async () => {
    const { req, counter } = chunkedPost(160); // 10 MB
    expect(await readSamlPost(req)).toEqual({ problem: 'too_large' });
    expect(counter.pulled).toBeLessThan(SAML_FORM_MAX_BYTES + 3 * 64 * 1024);
  });

  it('refuses a body larger than its (lying, small) Content-Length says, by counting', async () => {
    const { req } = chunkedPost(16, { 'content-length': '100' }); // ~1 MB under a claimed 100 bytes
    expect(await readSamlPost(req)).toEqual({ problem: 'too_large' });
  });

  it('still reads a chunked body under the cap', async () => {
    const { req } = chunkedPost(2);
    const read = await readSamlPost(req);
    expect('samlResponse' in read && read.samlResponse.length).toBe(2 * 64 * 1024);
  });
});

describe('formDataCapped (the /sso/start form)', () => {
  it('parses a small form and refuses one past the cap, chunked or not', async () => {
    const small = new Request('http://console.test/sso/start', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'mode=member&org=dev_1',
    });
    expect((await formDataCapped(small, START_FORM_MAX_BYTES)).get('org')).toBe('dev_1');
    const big = new Request('http://console.test/sso/start', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 64; i += 1) controller.enqueue(new TextEncoder().encode(`org=${'x'.repeat(1020)}&`));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    await expect(formDataCapped(big, START_FORM_MAX_BYTES)).rejects.toBeInstanceOf(BodyTooLargeError);
  });
});
