import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_REDIRECT_URI,
  devIdpOptionsFromEnv,
  type DevIdpOptions,
} from './config';
import { createInteractionHandler } from './interactions';
import { loadOrGenerateSigningKey } from './saml/keys';
import { createSamlHandler, devSamlIdpInfo, type DevSamlIdpInfo } from './saml/handler';
import { createDevProvider, type DevClient } from './provider';
import { DEMO_USERS, type DemoUser } from './users';

export type { DemoUser } from './users';
export type { DevClient } from './provider';
export { devIdpOptionsFromEnv, type DevIdpOptions } from './config';
export { WRONG_CREDENTIALS } from './interactions';
export type { DevSamlIdpInfo } from './saml/handler';
export type { SamlSigningKey } from './saml/keys';

export interface DevIdp {
  issuer: string;
  client: DevClient;
  users: DemoUser[];
  /** The SAML IdP on the same server (metadata URL, SSO URL, signing certificate). */
  saml: DevSamlIdpInfo;
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts the local development OpenID Provider on one node:http server.
 * With port 0 the issuer is derived from the bound port, so the server listens before the Provider exists.
 */
export async function startDevIdp(opts: DevIdpOptions = {}): Promise<DevIdp> {
  // Explicit options win over the environment, which wins over the documented defaults.
  const env = devIdpOptionsFromEnv();
  const host = opts.host ?? env.host ?? DEFAULT_HOST;
  const port = opts.port ?? env.port ?? DEFAULT_PORT;
  const client: DevClient = {
    clientId: opts.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: opts.clientSecret ?? DEFAULT_CLIENT_SECRET,
    redirectUris: opts.redirectUris ?? env.redirectUris ?? [DEFAULT_REDIRECT_URI],
  };

  // Filled in once the port is bound; requests arriving before that get 503.
  const ready: {
    provider?: Provider;
    handler?: (req: IncomingMessage, res: ServerResponse) => void;
    saml?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  } = {};
  const samlKey = opts.samlKey ?? loadOrGenerateSigningKey();
  const handleInteraction = createInteractionHandler(() => {
    if (!ready.provider) throw new Error('dev IdP not ready');
    return ready.provider;
  });

  const server = createServer((req, res) => {
    if (opts.logRequests) {
      const path = (req.url ?? '/').split('?')[0];
      res.on('finish', () => console.log(`[dev-idp] ${req.method} ${path} ${res.statusCode}`));
    }
    const { handler, saml } = ready;
    if (!handler || !saml) {
      res.statusCode = 503;
      res.end();
      return;
    }
    saml(req, res)
      .then(async (handled) => handled || handleInteraction(req, res))
      .then(
        (handled) => {
          if (!handled) handler(req, res);
        },
        () => {
          if (!res.headersSent) res.statusCode = 500;
          res.end();
        },
      );
  });
  // Node's default keep-alive (5 s): the service's HTTP client reuses its connection from one sign-in to the next
  // (undici closes after each request a connection whose announced timeout is under 2 s). close() below ends
  // the idle ones, so they never hold a shutdown open.

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const bound = (server.address() as AddressInfo).port;
  // An env issuer names a fixed port; with an ephemeral port only the bound address is right.
  const envIssuer = port !== 0 ? env.issuer : undefined;
  const issuer = opts.issuer ?? envIssuer ?? `http://${hostForUrl(host)}:${bound}`;
  const provider = createDevProvider(issuer, client);
  // oidc-provider reports internal errors as events; log the class only (details could include tokens).
  provider.on('server_error', (_ctx, err) => console.error(`[dev-idp] server_error: ${err.name}`));
  ready.provider = provider;
  ready.handler = provider.callback();
  ready.saml = createSamlHandler({ baseUrl: issuer, key: samlKey, acsUrls: opts.samlAcsUrls });

  return {
    issuer,
    client,
    users: DEMO_USERS.map((u) => ({ ...u })),
    saml: devSamlIdpInfo(issuer, samlKey),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
