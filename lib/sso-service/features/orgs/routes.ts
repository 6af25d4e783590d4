/** `POST /v1/signup` (public, rate-limited per address) and `GET /v1/me` (Bearer key). */
import { signupRequestSchema } from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { authenticate } from '../../http/auth';
import type { RouteRateLimit } from '../../http/rate-limit-options';
import { hasUnsafeText, UNSAFE_TEXT_MESSAGE } from '../../http/text-rules';
import { absentAsEmpty, type ServiceApp } from '../../http/validation';
import { signUp } from './service';
import { toWireMe } from './wire';

/** The contract's body, plus the service's text rule; an absent body reads as `{}` (every field then "is required"). */
const signupBody = absentAsEmpty(
  signupRequestSchema.refine((b) => !hasUnsafeText(b.name), { path: ['name'], message: UNSAFE_TEXT_MESSAGE }),
);

export function registerOrgRoutes(app: ServiceApp, ctx: ServiceContext, signupRateLimit: RouteRateLimit) {
  app.post(
    '/v1/signup',
    { config: { rateLimit: signupRateLimit }, schema: { body: signupBody } },
    async (request, reply) => reply.code(201).send(await signUp(ctx, request.body)),
  );

  app.get('/v1/me', async (request) => toWireMe(await authenticate(ctx, request)));
}
