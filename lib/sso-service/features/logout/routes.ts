/**
 * Logout (service.ts):
 * - `POST /sso/sessions/logout` (public, rate-limited like the re-check): the member's logout from the console.
 * - `GET|POST /sso/saml/:connectionId/slo` (public): the connection's SAML SingleLogoutService (HTTP-Redirect or
 *   HTTP-POST): the IdP's LogoutRequest, or its LogoutResponse to ours.
 * - `POST /sso/oidc/:connectionId/backchannel-logout` (public, form-encoded): OIDC Back-Channel Logout.
 * The two IdP endpoints take `application/x-www-form-urlencoded` (how IdPs post); the parser is registered in
 * their own scope, so every other route stays JSON-only.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  backchannelLogoutRequestSchema,
  ID_MAX,
  ssoSessionLogoutRequestSchema,
  type SsoSessionLogoutResponse,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { badRequest } from '../../http/api-error';
import { clientAddress } from '../../http/client-address';
import type { RouteRateLimit } from '../../http/rate-limit-options';
import { absentAsEmpty, type ServiceApp } from '../../http/validation';
import { backchannelLogout, handleSlo, memberLogout, type LogoutSigningKeyOf, type SloOutcome } from './service';

const connectionParams = z.object({ connectionId: z.string().min(1).max(ID_MAX) });
const sloForm = z.object({
  SAMLRequest: z.string().min(1).optional(),
  SAMLResponse: z.string().min(1).optional(),
  RelayState: z.string().max(4096).optional(),
});
/** A form body of an IdP: a LogoutRequest by POST or a logout token; far below the 16 KB JSON limit is not enough. */
const FORM_BODY_LIMIT = 96 * 1024;

/** Per member address and the org named in the body (as the re-check). */
function logoutRateKey(request: FastifyRequest): string {
  const body = request.body;
  const org = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).developerId : undefined;
  return `${clientAddress(request)}\nsession-logout:${typeof org === 'string' ? org.slice(0, ID_MAX) : ''}`;
}

export interface LogoutRouteLimits {
  /** The member's logout (the login budget, per address and org). */
  member: RouteRateLimit;
  /** The IdP endpoints (per address). */
  idp: RouteRateLimit;
}

export function registerLogoutRoutes(
  app: ServiceApp,
  ctx: ServiceContext,
  limits: LogoutRouteLimits,
  signingKeyOf: LogoutSigningKeyOf,
) {
  const memberLimit =
    limits.member === false ? false : { ...limits.member, hook: 'preValidation' as const, keyGenerator: logoutRateKey };
  app.post(
    '/sso/sessions/logout',
    { config: { rateLimit: memberLimit }, schema: { body: absentAsEmpty(ssoSessionLogoutRequestSchema) } },
    async (request): Promise<SsoSessionLogoutResponse> => memberLogout(ctx, request.body, signingKeyOf),
  );

  void app.register(async (scope: ServiceApp) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
      (_req, body, done) => {
        const form: Record<string, string> = {};
        for (const [key, value] of new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))) {
          // A field twice is never what an IdP sends: refused rather than picking one.
          if (Object.hasOwn(form, key)) return done(badRequest('A form field appears twice'), undefined);
          form[key] = value;
        }
        done(null, form);
      },
    );

    const answer = (reply: import('fastify').FastifyReply, outcome: SloOutcome) =>
      outcome.kind === 'redirect'
        ? reply.redirect(outcome.location, 303)
        : reply.code(200).send({ loggedOut: true, sessionsEnded: outcome.revoked });

    scope.get(
      '/sso/saml/:connectionId/slo',
      { config: { rateLimit: limits.idp }, schema: { params: connectionParams } },
      async (request, reply) => {
        const q = request.url.indexOf('?');
        const rawQuery = q === -1 ? '' : request.url.slice(q + 1);
        const outcome = await handleSlo(
          ctx,
          request.params.connectionId,
          { binding: 'redirect', rawQuery },
          signingKeyOf,
        );
        return answer(reply, outcome);
      },
    );

    scope.post(
      '/sso/saml/:connectionId/slo',
      {
        bodyLimit: FORM_BODY_LIMIT,
        config: { rateLimit: limits.idp },
        schema: { params: connectionParams, body: absentAsEmpty(sloForm) },
      },
      async (request, reply) => {
        const outcome = await handleSlo(
          ctx,
          request.params.connectionId,
          { binding: 'post', form: request.body },
          signingKeyOf,
        );
        return answer(reply, outcome);
      },
    );

    scope.post(
      '/sso/oidc/:connectionId/backchannel-logout',
      {
        bodyLimit: FORM_BODY_LIMIT,
        config: { rateLimit: limits.idp },
        schema: { params: connectionParams, body: absentAsEmpty(backchannelLogoutRequestSchema) },
      },
      async (request, reply) => {
        await backchannelLogout(ctx, request.params.connectionId, request.body.logout_token);
        // Back-Channel Logout §2.8: 200 and no-store (every answer of this service is no-store).
        return reply.code(200).send();
      },
    );
  });
}
