'use server';
/**
 * The domains section of a connection's page: add a domain (listed on the connection, registered for
 * verification), verify it (a DNS TXT check by Grantex), remove it. Each action authorizes inside (`connectionsAction`:
 * the signed-in actor, every time) and answers the typed form result `{ok, fieldErrors, formError, values}`.
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { connectionsAction, type ConnectionsActor } from '@/lib/auth';
import { emailDomainSchema } from '@/lib/contract';
import type { GrantexClient } from '@/lib/grantex';
import { isGrantexError } from '@/lib/grantex/errors';
import { DOMAIN_ERRORS } from '@/lib/console/messages';
import { logSsoEvent } from '@/lib/console/utils/log';
import { SSO_SETTINGS_PATH } from '@/lib/console/settings/paths';

const connectionIdField = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, DOMAIN_ERRORS.connection_gone);
/** The domain, trimmed and lower-cased; the console's own wording when it is not one. */
const domainField = z
  .string()
  .refine((v) => emailDomainSchema.safeParse(v).success, DOMAIN_ERRORS.domain_invalid)
  .transform((v) => emailDomainSchema.parse(v));

const domainInput = z.object({ connectionId: connectionIdField, domain: domainField });
const verifyInput = z.object({ domain: domainField });

/** The connection's domain list with `change` applied, written back (compare-and-set retries happen in Grantex). */
async function updateDomains(
  client: GrantexClient,
  connectionId: string,
  change: (domains: string[]) => string[],
): Promise<void> {
  const connection = await client.sso.connections.get(connectionId);
  const next = change(connection.domains);
  if (next.length === connection.domains.length && next.every((d, i) => d === connection.domains[i])) return;
  await client.sso.connections.update(connectionId, { domains: next });
}

function logDomainEvent(event: string, actor: ConnectionsActor, requestId: string, outcome: string, err?: unknown) {
  logSsoEvent(event, {
    requestId,
    org: actor.developerId,
    outcome,
    ...(err !== undefined ? { grantexRequestId: isGrantexError(err) ? err.requestId : null } : {}),
  });
}

export const addConnectionDomain = connectionsAction(
  'addConnectionDomain',
  domainInput,
  async ({ connectionId, domain }, actor) => {
    const requestId = randomUUID();
    const client = actor.grantex({ requestId });
    try {
      await updateDomains(client, connectionId, (domains) =>
        domains.includes(domain) ? domains : [...domains, domain],
      );
    } catch (err) {
      logDomainEvent('domain_add', actor, requestId, isGrantexError(err) ? err.kind : 'unexpected', err);
      if (isGrantexError(err) && err.kind === 'not_found') return { formError: DOMAIN_ERRORS.connection_gone };
      // "domains: acme.com is already listed by the connection …": another connection of the org has it.
      if (isGrantexError(err) && err.kind === 'validation')
        return { fieldErrors: { domain: DOMAIN_ERRORS.domain_listed_elsewhere } };
      throw err;
    }
    await client.sso.domains.create(domain);
    logDomainEvent('domain_add', actor, requestId, 'added');
    revalidatePath(SSO_SETTINGS_PATH, 'layout');
    return {
      ok: true,
      message: `${domain} added. Publish its TXT record, then press Verify.`,
      values: { connectionId, domain: '' },
    };
  },
);

export const verifyConnectionDomain = connectionsAction(
  'verifyConnectionDomain',
  verifyInput,
  async ({ domain }, actor) => {
    const requestId = randomUUID();
    const client = actor.grantex({ requestId });
    // Registering is idempotent: a domain listed on the connection through the API gets its record here.
    await client.sso.domains.create(domain);
    let outcome: Awaited<ReturnType<GrantexClient['sso']['domains']['verify']>>;
    try {
      outcome = await client.sso.domains.verify(domain);
    } catch (err) {
      logDomainEvent('domain_verify', actor, requestId, isGrantexError(err) ? err.kind : 'unexpected', err);
      // 409: another org holds it verified (Grantex's message never names that org).
      if (isGrantexError(err) && (err.kind === 'conflict' || err.kind === 'not_found'))
        return { formError: err.message };
      throw err;
    }
    revalidatePath(SSO_SETTINGS_PATH, 'layout');
    if (!outcome.verified) {
      logDomainEvent('domain_verify', actor, requestId, outcome.reason);
      return { formError: outcome.message };
    }
    logDomainEvent('domain_verify', actor, requestId, 'verified');
    return {
      ok: true,
      message: `${domain} is verified: members with an @${domain} address can now sign in with their email.`,
    };
  },
);

export const removeConnectionDomain = connectionsAction(
  'removeConnectionDomain',
  domainInput,
  async ({ connectionId, domain }, actor) => {
    const requestId = randomUUID();
    const client = actor.grantex({ requestId });
    try {
      await updateDomains(client, connectionId, (domains) => domains.filter((d) => d !== domain));
      // Within an org one connection lists a domain, so its verification goes with it.
      await client.sso.domains.delete(domain);
    } catch (err) {
      if (!(isGrantexError(err) && err.kind === 'not_found')) {
        logDomainEvent('domain_remove', actor, requestId, isGrantexError(err) ? err.kind : 'unexpected', err);
        throw err;
      }
    }
    logDomainEvent('domain_remove', actor, requestId, 'removed');
    revalidatePath(SSO_SETTINGS_PATH, 'layout');
    return { ok: true, message: `${domain} removed.` };
  },
);
