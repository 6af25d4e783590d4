/**
 * One validation style: every route declares its params, query string and body as zod schemas
 * (fastify-type-provider-zod compiles them into Fastify's validation step, so handlers get typed, parsed values),
 * and the one error handler (app.ts) turns a violation into the contract's 400 through `answerInvalid`.
 * Coercion stays off: a number or boolean is never quietly turned into a string.
 */
import type { FastifyError, FastifyInstance, FastifyRequest, RawServerDefault, FastifyBaseLogger } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasZodFastifySchemaValidationErrors, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiError } from './api-error';
import { invalidRequest } from './describe-issues';

/** The Fastify instance features register on: zod schemas, typed handlers. */
export type ServiceApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export type Issue = z.core.$ZodIssue;
/** Which part of the request a violation is in. */
export type RequestPart = 'body' | 'querystring' | 'params' | 'headers';
/** A route's own answer to a violation (the legacy contract words some as fixed messages). */
export type InvalidAnswer = (issues: readonly Issue[], input: unknown) => ApiError;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's answer to a schema violation; default: every field problem in one 400 (invalidRequest). */
    invalid?: InvalidAnswer;
  }
}

/**
 * The provider reports each zod issue as a Fastify validation error (path joined into `instancePath`, the rest of
 * the issue in `params`); this puts the issue back together, so one set of rules (describe-issues.ts) words it.
 */
function issueOf(error: {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}): Issue {
  const path = error.instancePath === '/' || error.instancePath === '' ? [] : error.instancePath.slice(1).split('/');
  return { ...error.params, code: error.keyword, path, message: error.message ?? '' } as unknown as Issue;
}

/** The contract's 400 for a request that failed its route's schema, or null when `err` is not one. */
export function answerInvalid(err: FastifyError, request: FastifyRequest): ApiError | null {
  if (!hasZodFastifySchemaValidationErrors(err)) return null;
  const issues = err.validation.map(issueOf);
  // The part as sent (a failed check leaves it unreplaced): what is absent is read from it.
  const part = (err.validationContext ?? 'body') as RequestPart;
  const input: unknown =
    part === 'querystring'
      ? request.query
      : part === 'params'
        ? request.params
        : part === 'headers'
          ? request.headers
          : request.body;
  const own = request.routeOptions.config.invalid;
  return own ? own(issues, input) : invalidRequest(issues, input);
}

/**
 * The one hand-run parse: a body whose schema is chosen by stored data, not by the route (a connection PATCH is
 * checked against the stored connection's protocol, after the connection is found). Same 400 as a route schema.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequest(parsed.error.issues, value);
  return parsed.data;
}

/**
 * A body schema under which an absent body (no content, or `null`) reads as `{}`, so its required fields each get
 * their own "is required" instead of one "must be a JSON object" (what these routes have always answered).
 */
export function absentAsEmpty<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => value ?? {}, schema);
}
