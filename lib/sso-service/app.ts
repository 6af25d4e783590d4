/**
 * The Fastify application: cross-cutting behaviour (request ids, security headers, JSON-only bodies,
 * one error shape, one log line per request, rate limits) and the contract's routes.
 */
import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES } from 'node:http';
import rateLimitPlugin from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { MESSAGES, type ErrorBody } from '@/lib/contract';
import type { ServiceContext } from './context';
import { ApiError, badRequest, errorDetailsOf, STORAGE_UNAVAILABLE_MESSAGE } from './http/api-error';
import { registerClientAddress } from './http/client-address';
import { describeError } from './http/describe-error';
import { addressRateKey, callbackRateKey, loginRateKey, perMinute } from './http/rate-limit-options';
import { requestIdFor } from './http/request-id';
import { inTurnBatches } from './http/turn-batches';
import { configReadFastPath } from './features/connections/config-read-fast-path';
import { sharedRateLimitStore } from './http/shared-rate-limit-store';
import { answerInvalid, type ServiceApp } from './http/validation';
import { asStoreError } from './storage/errors';
import { registerConnectionRoutes } from './features/connections/routes';
import { registerConsoleAccessRoutes, registerConsoleRouteCheck } from './features/console-access/routes';
import { registerWebhookRoutes } from './features/webhooks/routes';
import { registerEventStreamRoutes } from './features/event-stream/routes';
import { registerDirectoryRoutes } from './features/directory/routes';
import { registerDomainRoutes } from './features/domains/routes';
import { registerHealthRoutes } from './features/health/routes';
import { registerSignInCapture, SIGN_IN_ROUTES } from './features/events/capture';
import { registerEventRoutes } from './features/events/routes';
import { registerStatsRoutes } from './features/events/stats';
import { registerLoginRoutes } from './features/login/routes';
import { registerLogoutRoutes } from './features/logout/routes';
import { registerOrgRoutes } from './features/orgs/routes';
import { registerSessionRoutes } from './features/sessions/routes';
import { registerSetupLinkRoutes } from './features/setup-links/routes';
import { registerSpKeyRoutes, SP_KEY_ROTATIONS_PER_MIN } from './features/sp-keys/routes';

export const BODY_LIMIT_BYTES = 16 * 1024;

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
} as const;

/** GET routes that change state (a sign-in completed, a SAML logout): logged like writes, at `info`. */
const GET_ROUTES_THAT_WRITE: ReadonlySet<string> = new Set([...SIGN_IN_ROUTES, '/sso/saml/:connectionId/slo']);

/** Two years, subdomains included: sent only when the service's public URL is https (see buildServiceApp). */
export const HSTS_VALUE = 'max-age=63072000; includeSubDomains';

/** The headers every answer carries; HSTS only where the service is reached over https. */
export function securityHeaders(config: { publicUrl?: string }): Record<string, string> {
  return config.publicUrl?.startsWith('https://')
    ? { ...SECURITY_HEADERS, 'strict-transport-security': HSTS_VALUE }
    : { ...SECURITY_HEADERS };
}

/** Maps framework errors (body parsing, limits) to the contract's error shape with a helpful message. */
function toApiError(err: FastifyError, bodyLimit = BODY_LIMIT_BYTES): ApiError | null {
  if (err instanceof ApiError) return err;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'BAD_REQUEST', `Request body must be at most ${bodyLimit} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'BAD_REQUEST', 'Content-Type must be application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return badRequest('Content-Length does not match the request body');
  }
  if (err.statusCode === 429) return new ApiError(429, 'RATE_LIMITED', MESSAGES.rateLimited);
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new ApiError(err.statusCode, 'BAD_REQUEST', 'Bad request');
  }
  return null;
}

const RAW_ERROR_MESSAGES: Record<number, string> = {
  400: 'Malformed HTTP request',
  408: 'Request timed out',
  431: 'Request headers are too large',
};

function rawErrorResponse(status: number): string {
  const requestId = `req_${randomUUID()}`;
  const body = JSON.stringify({ message: RAW_ERROR_MESSAGES[status], code: 'BAD_REQUEST', requestId });
  const headers = Object.entries(SECURITY_HEADERS)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers}x-request-id: ${requestId}\r\n` +
    `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
    `connection: close\r\n\r\n${body}`
  );
}

const REQUEST_TIMEOUT_MS = 30_000;
const FASTIFY_KEEP_ALIVE_MS = 72_000;

export async function buildServiceApp(ctx: ServiceContext): Promise<FastifyInstance> {
  const { config, logger } = ctx;
  const headers = securityHeaders(config);
  // Successful reads are logged at this level (see the onResponse hook below).
  const readLevel = config.logSuccessfulReads ? 'info' : 'debug';
  const app = Fastify({
    // Node's HTTP server as Fastify would make it, offering each request to the config read's fast path first
    // (features/connections/config-read-fast-path.ts); whatever it declines goes to Fastify. The requests of one
    // turn of the event loop are handled together (http/turn-batches.ts).
    serverFactory: (handler) => {
      const fast = configReadFastPath(ctx, headers, !logger.enabled(readLevel), handler);
      const server = createServer(
        inTurnBatches((req, res) => {
          if (!fast(req, res)) handler(req, res);
        }),
      );
      // What Fastify sets on a server it makes itself (its keep-alive default; the request timeout below).
      server.keepAliveTimeout = FASTIFY_KEEP_ALIVE_MS;
      server.requestTimeout = REQUEST_TIMEOUT_MS;
      return server;
    },
    // Fastify's own logger stays off (so does its request logging); see the onResponse hook instead.
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    // A client that trickles its request (slowloris) cannot hold a socket for longer than this.
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Errors raised before routing (a malformed URL) skip the hooks: give them the same shape and headers.
    frameworkErrors: (err, request, reply) => {
      const body: ErrorBody = { message: 'Malformed request URL', code: 'BAD_REQUEST', requestId: request.id };
      // The option's generic reply type cannot be satisfied from here; it is an ordinary FastifyReply.
      void (reply as FastifyReply).code(400).headers(headers).header('x-request-id', request.id).send(body);
      logger.log('info', { reqId: request.id, method: request.method, path: null, status: 400, code: err.code });
    },
    // Malformed HTTP (bad framing, truncated body, oversized headers) never becomes a request; answer it in
    // the contract's shape instead of Fastify's default body.
    clientErrorHandler: (err, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      if (socket.writable) socket.write(rawErrorResponse(status));
      socket.destroy();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<ZodTypeProvider>();
  // Route schemas are zod schemas (http/validation.ts): checked as they are, nothing coerced. Responses are
  // serialised as they are (JSON.stringify), with no response schema.
  app.setValidatorCompiler(validatorCompiler);

  // JSON only. A custom parser so an empty body (e.g. a DELETE sent with a JSON content type) is "no body",
  // and a malformed one gets a clear message instead of the parser's internals.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(badRequest('Request body is not valid JSON'), undefined);
    }
  });

  // Registered before the rate limiter so even a 429 carries the id and the security headers.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    reply.header('x-request-id', request.id);
    done();
  });

  // One line per request at `info`, except successful reads (GET/HEAD that change nothing), which are most of the
  // traffic and say nothing an operator acts on: those are logged at `debug`, or at `info` with
  // LOG_SUCCESSFUL_READS=true.
  if (logger.enabled('info')) {
    app.addHook('onResponse', (request, reply, done) => {
      const read =
        reply.statusCode < 400 &&
        (request.method === 'GET' || request.method === 'HEAD') &&
        !GET_ROUTES_THAT_WRITE.has(request.routeOptions.url ?? '');
      const level = read ? readLevel : 'info';
      if (!logger.enabled(level)) return done();
      const url = request.url;
      const q = url.indexOf('?');
      logger.log(level, {
        reqId: request.id,
        method: request.method,
        path: q === -1 ? url : url.slice(0, q),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      });
      done();
    });
  }

  app.setErrorHandler((err: FastifyError, request, reply) => {
    let apiError = answerInvalid(err, request) ?? toApiError(err, request.routeOptions.bodyLimit);
    const storeError = apiError ? null : asStoreError(err);
    if (storeError) {
      // The database said no: busy/unreachable/timed out passes by itself (503, clients retry), anything else
      // is a 500. Neither says more than that; the log line has the kind and the driver's code.
      logger.log('error', { reqId: request.id, msg: 'storage error', err: describeError(storeError) });
      apiError = storeError.transient
        ? new ApiError(503, 'INTERNAL_ERROR', STORAGE_UNAVAILABLE_MESSAGE)
        : new ApiError(500, 'INTERNAL_ERROR', MESSAGES.internal);
    } else if (!apiError) {
      // Name, code and stack frames only (see describeError): the message can quote its input.
      logger.log('error', { reqId: request.id, msg: 'unhandled error', err: describeError(err) });
      apiError = new ApiError(500, 'INTERNAL_ERROR', MESSAGES.internal);
    } else if (apiError.code === 'SSO_ERROR' && logger.enabled('warn')) {
      // Relying-party messages are safe to show by contract (no codes, tokens or secrets); operators need them.
      logger.log('warn', {
        reqId: request.id,
        msg: 'sso error',
        status: apiError.statusCode,
        detail: apiError.message,
      });
    }
    const errors = errorDetailsOf(apiError);
    const body: ErrorBody = {
      message: apiError.message,
      code: apiError.code,
      requestId: request.id,
      ...(errors ? { errors } : {}),
    };
    return reply.code(apiError.statusCode).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { message: 'Not found', code: 'NOT_FOUND', requestId: request.id };
    return reply.code(404).send(body);
  });

  // Before the rate limiter: every bucket is keyed on this address.
  registerClientAddress(app, config.consoleSecret);

  const limits = config.rateLimit;
  if (limits.enabled) {
    await app.register(rateLimitPlugin, {
      global: false,
      // Buckets are per IP (and org, on login/callback); bounded so a spray of addresses cannot grow memory.
      cache: 20_000,
      // Per process for SQLite (one process owns the file); on PostgreSQL, counters every process shares.
      ...(ctx.store.sharedRateLimits ? { store: sharedRateLimitStore(ctx.store.sharedRateLimits, ctx.now) } : {}),
      errorResponseBuilder: () => new ApiError(429, 'RATE_LIMITED', MESSAGES.rateLimited),
    });
  }

  // Wiring only: each feature registers its routes (lib/sso-service/features/<feature>/routes.ts).
  const api: ServiceApp = app;
  api.decorateRequest('developer', null);
  api.decorateRequest('actor', null);
  api.decorateRequest('consoleSession', null);
  api.decorateRequest('apiKeyHashed', null);
  // Before any route: every authenticated /v1/ route must have a place in the console role table.
  registerConsoleRouteCheck(api);
  registerSignInCapture(api, ctx, ctx.signIns);
  registerHealthRoutes(api, ctx);
  registerOrgRoutes(api, ctx, perMinute(limits.enabled, limits.signupPerMin, addressRateKey));
  registerConnectionRoutes(api, ctx, perMinute(limits.enabled, limits.loginPerMin, addressRateKey));
  registerDomainRoutes(api, ctx);
  registerSpKeyRoutes(api, ctx, perMinute(limits.enabled, SP_KEY_ROTATIONS_PER_MIN, addressRateKey));
  registerSetupLinkRoutes(api, ctx);
  registerLoginRoutes(api, ctx, {
    login: perMinute(limits.enabled, limits.loginPerMin, loginRateKey),
    callback: perMinute(limits.enabled, limits.callbackPerMin, callbackRateKey(ctx.states)),
  });
  registerSessionRoutes(api, ctx, perMinute(limits.enabled, limits.loginPerMin));
  registerLogoutRoutes(
    api,
    ctx,
    {
      member: perMinute(limits.enabled, limits.loginPerMin),
      idp: perMinute(limits.enabled, limits.callbackPerMin, addressRateKey),
    },
    ctx.samlLogoutSigningKey,
  );
  registerEventRoutes(api, ctx);
  registerStatsRoutes(api, ctx);
  registerDirectoryRoutes(api, ctx);
  registerWebhookRoutes(api, ctx);
  registerEventStreamRoutes(api, ctx, ctx.eventStream);
  registerConsoleAccessRoutes(api, ctx);
  return app;
}
