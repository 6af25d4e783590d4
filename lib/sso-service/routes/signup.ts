import type { FastifyInstance } from 'fastify';
import { signupRequestSchema, type SignupResponse } from '@/lib/contract';
import type { ServiceContext } from '../context';
import { generateApiKey, hashApiKey } from '../crypto/api-keys';
import { randomId } from '../crypto/random-id';
import { invalidRequest } from '../http/describe-issues';
import { hasUnsafeText, UNSAFE_TEXT_MESSAGE } from '../http/text-rules';
import type { RouteRateLimit } from './rate-limit-options';

export function registerSignupRoute(app: FastifyInstance, ctx: ServiceContext, rateLimit: RouteRateLimit) {
  app.post('/v1/signup', { config: { rateLimit } }, async (request, reply) => {
    const parsed = signupRequestSchema
      .refine((b) => !hasUnsafeText(b.name), { path: ['name'], message: UNSAFE_TEXT_MESSAGE })
      .safeParse(request.body ?? {});
    if (!parsed.success) throw invalidRequest(parsed.error.issues);
    const { name, email, mode = 'live' } = parsed.data;
    const apiKey = generateApiKey(mode);
    const developerId = randomId('dev');
    const createdAt = new Date(ctx.now()).toISOString();
    // Always a new developer: an email is a contact detail, so signing up with a known one answers exactly like
    // a fresh one (no "already exists" that would tell anyone who has an account).
    await ctx.store.createDeveloper({
      id: developerId,
      name,
      email: email ?? null,
      mode,
      plan: 'free',
      createdAt,
      keyHash: hashApiKey(apiKey),
    });
    const body: SignupResponse = { developerId, apiKey, name, email: email ?? null, mode, createdAt };
    return reply.code(201).send(body);
  });
}
