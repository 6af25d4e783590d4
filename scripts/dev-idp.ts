/**
 * `npm run dev-idp`: the local development OpenID Provider on its own (see lib/dev-idp).
 * Credentials printed here are the documented dev-only ones; nothing else is secret.
 */
import { startDevIdp } from '@/lib/dev-idp';

// startDevIdp reads DEV_IDP_PORT, DEV_IDP_ISSUER, DEV_IDP_REDIRECT_URIS (and APP_URL) itself.
const idp = await startDevIdp({ logRequests: true });

console.log(`Dev IdP issuer:   ${idp.issuer}`);
console.log(`Discovery:        ${idp.issuer}/.well-known/openid-configuration`);
console.log(`Client ID:        ${idp.client.clientId}`);
console.log(`Client secret:    ${idp.client.clientSecret}   (development only)`);
console.log(`Redirect URIs:    ${idp.client.redirectUris.join(', ')}`);
console.log(`Demo users:       ${idp.users.map((u) => `${u.username} / ${u.password} (${u.email})`).join(', ')}`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`[dev-idp] ${signal} received, stopping`);
  await idp.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
