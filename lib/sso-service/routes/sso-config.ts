import type { FastifyInstance } from 'fastify';
import { checkSsoUrl, LIMITS, MESSAGES, ssoConfigRequestSchema, type SsoConfig } from '@/lib/contract';
import type { ServiceContext } from '../context';
import { randomId } from '../crypto/random-id';
import type { SsoConfigRow } from '../db/rows';
import { badRequest, notFound, unauthorized } from '../http/api-error';
import { apiKeyHashFrom, authenticate } from '../http/auth';
import { hasUnsafeText, UNSAFE_TEXT_MESSAGE } from '../http/text-rules';
import { TRANSIENT_ISSUER_REASONS } from '../relying-party-port';
import { ssoErrorFrom } from './relying-party-calls';

/**
 * checkSsoUrl is pure and the same few URLs are saved over and over; remembering recent verdicts keeps URL
 * parsing and address classification off the hot path. Bounded, oldest entry dropped first.
 */
function memoizedUrlCheck(devMode: boolean, maxEntries = 2000) {
  const verdicts = new Map<string, string | null>();
  return (value: string, kind: 'issuerUrl' | 'redirectUri'): string | null => {
    const key = `${kind}\n${value}`;
    const known = verdicts.get(key);
    if (known !== undefined) return known;
    const verdict = checkSsoUrl(value, kind, { devMode });
    verdicts.set(key, verdict);
    if (verdicts.size > maxEntries) {
      const oldest = verdicts.keys().next().value;
      if (oldest !== undefined) verdicts.delete(oldest);
    }
    return verdict;
  };
}

function checkCredential(value: string, max: number): string | null {
  if (value.length > max) return `must be at most ${max} characters`;
  if (hasUnsafeText(value)) return UNSAFE_TEXT_MESSAGE;
  return null;
}

export function toWireConfig(row: SsoConfigRow): SsoConfig {
  return {
    issuerUrl: row.issuer_url,
    clientId: row.client_id,
    redirectUri: row.redirect_uri,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function registerSsoConfigRoutes(app: FastifyInstance, ctx: ServiceContext) {
  const checkUrl = memoizedUrlCheck(ctx.config.devMode);

  app.post('/v1/sso/config', async (request, reply) => {
    const dev = authenticate(ctx.store, request);
    const parsed = ssoConfigRequestSchema.safeParse(request.body);
    // Empty strings count as missing, as in the hosted service.
    if (!parsed.success || Object.values(parsed.data).some((v) => v.length === 0)) {
      throw badRequest(MESSAGES.configFieldsRequired);
    }
    const input = parsed.data;
    const problems: [string, string | null][] = [
      ['issuerUrl', checkUrl(input.issuerUrl, 'issuerUrl')],
      ['clientId', checkCredential(input.clientId, LIMITS.clientIdMax)],
      ['clientSecret', checkCredential(input.clientSecret, LIMITS.clientSecretMax)],
      ['redirectUri', checkUrl(input.redirectUri, 'redirectUri')],
    ];
    const message = problems
      .filter((p): p is [string, string] => p[1] !== null)
      .map(([field, why]) => `${field}: ${why}`)
      .join('; ');
    if (message) throw badRequest(message);

    let check;
    try {
      check = await ctx.issuerChecks.check(input.issuerUrl);
    } catch (err) {
      throw ssoErrorFrom(err) ?? err;
    }
    if (!check.ok && !TRANSIENT_ISSUER_REASONS.has(check.reason)) {
      throw badRequest(`issuerUrl: ${check.message}`);
    }

    const row = ctx.store.upsertSsoConfig({
      developerId: dev.id,
      newConnectionId: randomId('conn'),
      issuerUrl: input.issuerUrl,
      clientId: input.clientId,
      clientSecretEnc: ctx.secretBox.seal(input.clientSecret, dev.id),
      redirectUri: input.redirectUri,
      now: new Date(ctx.now()).toISOString(),
    });
    // No RP cache flush: client set-ups are keyed by this row's (new) ciphertext, so the change takes effect at
    // the next login, and the issuer's discovery/JWKS, shared with other tenants, stay warm (one org must not be
    // able to force cold fetches on everyone else's logins). The issuer check above refreshed discovery when it
    // fetched it.
    return reply.code(201).send(toWireConfig(row));
  });

  app.get('/v1/sso/config', async (request) => {
    // One query: the key's developer joined with its config (same 401s as authenticate()).
    const found = ctx.store.findConfigByKeyHash(apiKeyHashFrom(request));
    if (!found) throw unauthorized(MESSAGES.invalidKey);
    if (!found.config) throw notFound(MESSAGES.configNotFound);
    return toWireConfig(found.config);
  });

  app.delete('/v1/sso/config', async (request, reply) => {
    const dev = authenticate(ctx.store, request);
    const removed = ctx.store.deleteSsoConfig(dev.id);
    if (!removed) throw notFound(MESSAGES.configNotFound);
    // Nothing to flush in the RP: without a row no login reaches it, and shared issuer caches stay warm.
    ctx.issuerChecks.invalidate(removed.issuer_url);
    return reply.code(204).send();
  });
}
