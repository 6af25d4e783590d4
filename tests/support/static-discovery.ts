/**
 * A tiny HTTP server that serves only OpenID discovery documents, for the issuer checks made when a config is
 * saved (which read the document and nothing else). Each document is a valid one whose `issuer` the test
 * chooses, to play a vendor's quirk: Auth0's trailing slash, Microsoft Entra's `{tenantid}` template. Its
 * endpoints are never called. Loopback only, port 0; used by vitest and by Playwright specs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticDiscovery {
  /** `http://127.0.0.1:<port>` */
  base: string;
  /**
   * Serves a document at `<base><path>/.well-known/openid-configuration` whose `issuer` is `declared(url)`, where
   * `url` is `<base><path>` (what an admin would type). Returns `url`.
   */
  serve(path: string, declared?: (url: string) => string): string;
  close(): Promise<void>;
}

export async function startStaticDiscovery(): Promise<StaticDiscovery> {
  const documents = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const body = documents.get(new URL(req.url ?? '/', 'http://x').pathname);
    res.writeHead(body ? 200 : 404, { 'content-type': body ? 'application/json' : 'text/plain' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    base,
    serve(path, declared = (url) => url) {
      const url = `${base}${path}`.replace(/\/+$/, '');
      const issuer = declared(url);
      documents.set(
        `${path.replace(/\/+$/, '')}/.well-known/openid-configuration`,
        JSON.stringify({
          issuer,
          authorization_endpoint: `${url}/authorize`,
          token_endpoint: `${url}/token`,
          jwks_uri: `${url}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        }),
      );
      return url;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
