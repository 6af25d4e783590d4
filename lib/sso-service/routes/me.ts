import type { FastifyInstance } from 'fastify';
import type { MeResponse } from '@/lib/contract';
import type { ServiceContext } from '../context';
import { authenticate } from '../http/auth';

export function registerMeRoute(app: FastifyInstance, ctx: ServiceContext) {
  app.get('/v1/me', async (request) => {
    const dev = await authenticate(ctx.store, request);
    const body: MeResponse = {
      developerId: dev.id,
      name: dev.name,
      email: dev.email,
      mode: dev.mode,
      plan: dev.plan,
      createdAt: dev.createdAt,
    };
    return body;
  });
}
