/**
 * The headers every delivery is signed with, twice:
 * - Grantex's, so the official SDKs' `verifyWebhook` accepts it: `X-Grantex-Timestamp` (unix seconds),
 *   `X-Grantex-Signature: sha256=<hex HMAC-SHA256(secret, body)>` (the older scheme, kept for older receivers) and
 *   `X-Grantex-Signature-V2: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. The key is the WHOLE
 *   `whsec_…` string as UTF-8 bytes, as upstream keys them.
 * - Standard Webhooks': `webhook-id` (the event id, the same on every attempt), `webhook-timestamp` and
 *   `webhook-signature: v1,<base64 HMAC-SHA256(base64-decoded secret, "<id>.<timestamp>.<body>")>`, one entry
 *   per signing secret, space-separated (during a rotation's overlap both secrets sign).
 *
 * Written on node:crypto rather than the `standardwebhooks` package: its `sign` takes one secret (the overlap needs
 * several signatures in one header), hashes in JavaScript (fast-sha256) where node:crypto uses OpenSSL, and the
 * Grantex headers need node:crypto anyway. The tests verify every delivery with the package's `Webhook.verify`.
 */
import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
/** Standard Webhooks asks for 24–64 random bytes. */
const SECRET_BYTES = 32;

export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The key Standard Webhooks signs with: the base64 after `whsec_`, decoded. */
function standardKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export interface SignedHeaders {
  [name: string]: string;
}

/**
 * The signature headers for one attempt. `secrets[0]` is the current secret (it alone keys Grantex's headers,
 * which carry one signature); any further secret (a rotation's previous one) adds a Standard Webhooks signature.
 */
export function signDelivery(input: {
  eventId: string;
  body: string;
  timestampSec: number;
  secrets: readonly [string, ...string[]];
}): SignedHeaders {
  const { eventId, body, timestampSec, secrets } = input;
  const ts = String(timestampSec);
  const current = secrets[0];
  const hexHmac = (data: string) => createHmac('sha256', current).update(data).digest('hex');
  return {
    'X-Grantex-Timestamp': ts,
    'X-Grantex-Signature': `sha256=${hexHmac(body)}`,
    'X-Grantex-Signature-V2': `sha256=${hexHmac(`${ts}.${body}`)}`,
    'webhook-id': eventId,
    'webhook-timestamp': ts,
    'webhook-signature': secrets
      .map(
        (secret) =>
          `v1,${createHmac('sha256', standardKey(secret)).update(`${eventId}.${ts}.${body}`).digest('base64')}`,
      )
      .join(' '),
  };
}
