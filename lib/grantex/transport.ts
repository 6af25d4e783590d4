/**
 * The transport every Grantex resource shares: the base URL, the API key as a bearer token, the console's
 * public-call headers (console secret and member address), the time budget, retries with back-off, zod-checked
 * answers, and the one place a failure becomes a GrantexError.
 *
 * The resources (lib/grantex/resources/) only say which route, which input and answer schemas, and whether a
 * call may be repeated. No `server-only` import here so tests, scripts and benchmarks can use it.
 */
import type { ZodType } from 'zod';
import { errorBodySchema, type ErrorBody } from '@/lib/contract';
import { readCapped } from '@/lib/net/read-capped';
import { CLIENT_ERROR_CODES, GrantexError, genericMessage, kindForStatus, reasonOf } from './errors';
import { fieldErrorsFromDetails, fieldErrorsFromIssues, parseFieldErrors } from './field-errors';

export interface GrantexClientOptions {
  baseUrl: string;
  apiKey?: string;
  /** Upper bound for one whole method call, retries and back-off waits included. */
  timeoutMs?: number;
  /** Extra attempts for idempotent calls after a network error or 429/502/503/504. */
  retries?: number;
  fetch?: typeof fetch;
  userAgent?: string;
  /** Sent as `x-request-id` so the console's log lines and the service's can be joined. */
  requestId?: string;
  /**
   * Extra headers for the public (unauthenticated) calls only, never with an API key: the console's transport
   * for naming the member's address (see lib/grantex/server.ts). Values that are not plain header text are dropped.
   */
  publicHeaders?: Readonly<Record<string, string>>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRIES = 2;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 10_000;
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
/** Grantex answers are a few hundred bytes; anything this big is not Grantex talking. */
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_SERVER_MESSAGE_CHARS = 1000;
/** A body listing more problems than a form has fields is not one we show in full. */
const MAX_ERROR_DETAILS = 50;
/** Visible ASCII only: what a bearer token may contain, and what Headers accepts without complaint. */
const API_KEY_CHARS = /^[\x21-\x7e]+$/;
/** Visible ASCII and inner spaces, for free-text header values we send (user-agent, request id). */
const HEADER_TOKEN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * The console's version, kept in step with package.json by a unit test; a literal rather than a
 * JSON import so no bundler (Turbopack, tsx, vitest) has to agree on import attributes.
 */
export const CLIENT_VERSION = '0.1.0';
export const DEFAULT_USER_AGENT = `grantex-sso-console/${CLIENT_VERSION}`;

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  authenticated: boolean;
  /** Only idempotent calls may be repeated; signup and the single-use callback never are. */
  retryable: boolean;
  /** Error statuses whose body is an answer, not an error (the connection test's and a domain check's 422). */
  answerStatuses?: readonly number[];
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** What one attempt produced, before deciding whether to try again. */
type AttemptOutcome =
  { ok: true; response: RawResponse } | { ok: false; error: GrantexError; retryable: boolean; unknownOutcome: boolean };

/** One per client, shared by all of its resources. */
export class GrantexTransport {
  private readonly base: URL;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly fetchImpl: typeof fetch;
  private readonly userAgent: string;
  private readonly requestId: string | undefined;
  private readonly publicHeaders: ReadonlyArray<[string, string]>;

  constructor(opts: GrantexClientOptions) {
    this.base = normalizeBaseUrl(opts.baseUrl);
    // A pasted key often carries a trailing newline; surrounding whitespace is never part of a key.
    this.apiKey = opts.apiKey?.trim() || undefined;
    this.timeoutMs = positiveOr(opts.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.retries = Math.max(0, Math.floor(opts.retries ?? DEFAULT_RETRIES));
    this.fetchImpl = opts.fetch ?? globalThis.fetch;
    this.userAgent = opts.userAgent && HEADER_TOKEN.test(opts.userAgent) ? opts.userAgent : DEFAULT_USER_AGENT;
    // Only a correlation hint: an unusable one is dropped rather than failing the call.
    this.requestId = opts.requestId && HEADER_TOKEN.test(opts.requestId) ? opts.requestId : undefined;
    this.publicHeaders = Object.entries(opts.publicHeaders ?? {}).filter(
      ([name, value]) => /^[a-z0-9-]+$/i.test(name) && HEADER_TOKEN.test(value),
    );
    // A key (or a public header holding a shared secret) on an own enumerable property would show up in
    // console.log(client) and JSON.stringify.
    Object.defineProperty(this, 'apiKey', { enumerable: false });
    Object.defineProperty(this, 'publicHeaders', { enumerable: false });
  }

  async send(spec: RequestSpec): Promise<RawResponse> {
    // fetch's Headers would reject such a key with a TypeError that quotes the value, key and all.
    if (spec.authenticated && this.apiKey && !API_KEY_CHARS.test(this.apiKey)) {
      throw new GrantexError({
        kind: 'unauthorized',
        message: 'The API key is not valid: it contains spaces or characters an API key never has',
        code: 'UNAUTHORIZED',
      });
    }
    const deadline = Date.now() + this.timeoutMs;
    const maxAttempts = spec.retryable ? this.retries + 1 : 1;
    let previousOutcomeUnknown = false;

    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(spec, deadline);
      if (outcome.ok) return outcome.response;
      const { error } = outcome;

      // An earlier DELETE may have reached the server before its connection broke; the config
      // being gone now is exactly what the caller asked for.
      if (spec.method === 'DELETE' && previousOutcomeUnknown && error.kind === 'not_found') {
        return { status: 204, headers: new Headers(), text: '' };
      }
      previousOutcomeUnknown ||= outcome.unknownOutcome;

      if (!outcome.retryable || attempt + 1 >= maxAttempts) throw error;
      const waitMs = retryDelayMs(attempt, error.retryAfterSeconds);
      // Waiting past the budget would only end in a timeout; the caller gets the real error now.
      if (waitMs === null || Date.now() + waitMs >= deadline) throw error;
      await sleep(waitMs);
    }
  }

  private async attempt(spec: RequestSpec, deadline: number): Promise<AttemptOutcome> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { ok: false, error: this.timeoutError(), retryable: false, unknownOutcome: true };

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), remaining);
    try {
      let response: Response;
      try {
        response = await this.fetchImpl(this.urlFor(spec), {
          method: spec.method,
          headers: this.headersFor(spec),
          body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
          signal: controller.signal,
          // Grantex never redirects; following one could hand the bearer key to another origin.
          redirect: 'manual',
          cache: 'no-store',
        });
      } catch {
        return this.transportFailure(controller.signal);
      }

      let text: string | null;
      try {
        text = await readBodyCapped(response, MAX_BODY_BYTES);
      } catch {
        return this.transportFailure(controller.signal, response);
      }
      if (text === null) {
        return {
          ok: false,
          error: this.invalidResponse(response.status, response.headers),
          retryable: false,
          unknownOutcome: false,
        };
      }

      const raw: RawResponse = { status: response.status, headers: response.headers, text };
      if ((raw.status >= 200 && raw.status < 300) || spec.answerStatuses?.includes(raw.status))
        return { ok: true, response: raw };
      // 3xx (or an opaque redirect, status 0): Grantex itself never answers like that.
      if (raw.status < 200 || (raw.status >= 300 && raw.status < 400)) {
        return {
          ok: false,
          error: this.invalidResponse(raw.status, raw.headers),
          retryable: false,
          unknownOutcome: false,
        };
      }
      const error = this.errorFromResponse(raw);
      return {
        ok: false,
        error,
        // An SSO_ERROR 503/504 means Grantex already waited on the IdP and gave up; asking again
        // would only double the user's wait.
        retryable: RETRYABLE_STATUSES.has(raw.status) && error.kind !== 'sso',
        unknownOutcome: false,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  private urlFor(spec: RequestSpec): URL {
    const url = new URL(spec.path, this.base);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    return url;
  }

  private headersFor(spec: RequestSpec): Headers {
    const headers = new Headers({ accept: 'application/json', 'user-agent': this.userAgent });
    if (spec.body !== undefined) headers.set('content-type', 'application/json');
    if (spec.authenticated && this.apiKey) headers.set('authorization', `Bearer ${this.apiKey}`);
    if (!spec.authenticated) for (const [name, value] of this.publicHeaders) headers.set(name, value);
    if (this.requestId) headers.set('x-request-id', this.requestId);
    return headers;
  }

  parse<T>(res: RawResponse, schema: ZodType<T>): T {
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw this.invalidResponse(res.status, res.headers);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw this.invalidResponse(res.status, res.headers);
    return parsed.data;
  }

  private errorFromResponse(res: RawResponse): GrantexError {
    const headerRequestId = res.headers.get('x-request-id');
    const retryAfterSeconds = parseRetryAfter(res.headers.get('retry-after'));
    const body = parseErrorBody(res);
    const kind = kindForStatus(res.status, body?.code ?? null);
    // The server's message is user-facing by contract; an HTML page or stack trace never is.
    const message = body
      ? this.redact(body.message.slice(0, MAX_SERVER_MESSAGE_CHARS))
      : genericMessage(kind, res.status);
    // The same care for each structured entry: user-facing by contract, bounded, never carrying the key.
    const errors =
      body?.errors?.slice(0, MAX_ERROR_DETAILS).map((e) => ({
        ...(e.field !== undefined ? { field: e.field.slice(0, 100) } : {}),
        code: e.code.slice(0, 100),
        message: this.redact(e.message.slice(0, MAX_SERVER_MESSAGE_CHARS)),
      })) ?? null;
    const fieldErrors =
      !body || kind !== 'validation' ? null : errors ? fieldErrorsFromDetails(errors) : parseFieldErrors(message);
    return new GrantexError({
      kind,
      status: res.status,
      message,
      errors,
      reason: body ? reasonOf(body.message, errors) : null,
      fieldErrors,
      code: body?.code ?? fallbackCode(kind),
      requestId: body?.requestId ?? headerRequestId,
      retryAfterSeconds,
    });
  }

  private invalidResponse(status: number, headers: Headers): GrantexError {
    return new GrantexError({
      kind: 'invalid_response',
      status,
      message: genericMessage('invalid_response', status),
      code: CLIENT_ERROR_CODES.invalidResponse,
      requestId: headers.get('x-request-id'),
    });
  }

  /**
   * The connection failed or the body stopped arriving: a timeout when our deadline fired, else a network
   * error (retryable: the outcome is unknown, and only idempotent calls are retried at all).
   */
  private transportFailure(signal: AbortSignal, response?: Response) {
    if (signal.aborted) {
      return { ok: false as const, error: this.timeoutError(), retryable: false, unknownOutcome: true };
    }
    const error = new GrantexError({
      kind: 'network',
      message: genericMessage('network', null),
      code: CLIENT_ERROR_CODES.network,
      ...(response ? { status: response.status, requestId: response.headers.get('x-request-id') } : {}),
    });
    return { ok: false as const, error, retryable: true, unknownOutcome: true };
  }

  private timeoutError(): GrantexError {
    return new GrantexError({
      kind: 'timeout',
      message: genericMessage('timeout', null),
      code: CLIENT_ERROR_CODES.timeout,
    });
  }

  /** Belt and braces: even a server echoing the key back must not put it into our messages. */
  private redact(message: string): string {
    if (!this.apiKey) return message;
    return message.split(this.apiKey).join('[redacted]');
  }
}

function normalizeBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError('GrantexClient: baseUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('GrantexClient: baseUrl must be an absolute http(s) URL');
  }
  if (url.username || url.password) throw new TypeError('GrantexClient: baseUrl must not contain credentials');
  url.search = '';
  url.hash = '';
  // Relative resolution keeps a path prefix (https://gw.example/grantex/) only with a trailing slash.
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url;
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

export function parseInput<T>(schema: ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  // zod messages name the field and rule, never the value, so a secret cannot leak through here.
  const message = parsed.error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  throw new GrantexError({
    kind: 'validation',
    message,
    code: CLIENT_ERROR_CODES.badInput,
    fieldErrors: fieldErrorsFromIssues(parsed.error.issues),
  });
}

function parseErrorBody(res: RawResponse): ErrorBody | null {
  if (!res.text) return null;
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    return null;
  }
  const parsed = errorBodySchema.safeParse(json);
  return parsed.success && parsed.data.message.trim() !== '' ? parsed.data : null;
}

function fallbackCode(kind: ReturnType<typeof kindForStatus>): string {
  switch (kind) {
    case 'unauthorized':
      return 'UNAUTHORIZED';
    case 'not_found':
      return 'HTTP_NOT_FOUND'; // not 'NOT_FOUND': only the contract's body means "no config"
    case 'conflict':
      return 'CONFLICT';
    case 'rate_limited':
      return 'RATE_LIMITED';
    case 'validation':
      return 'BAD_REQUEST';
    case 'sso':
      return 'SSO_ERROR';
    default:
      return 'INTERNAL_ERROR';
  }
}

/** Seconds from `Retry-After` (delta-seconds or HTTP-date); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP-date always names a weekday/month; this keeps Date.parse from reading "-5" as a year.
  if (!/[a-z]/i.test(trimmed)) return null;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * 0.5 s·2ⁿ plus up to 25 % jitter, capped at 10 s; a server's Retry-After wins.
 * Null when the server asks for a wait beyond the cap: not worth holding a user's request for.
 */
export function retryDelayMs(attempt: number, retryAfterSeconds: number | null): number | null {
  if (retryAfterSeconds !== null) {
    const ms = retryAfterSeconds * 1000;
    return ms > BACKOFF_CAP_MS ? null : ms;
  }
  const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.min(BACKOFF_CAP_MS, base + Math.random() * base * 0.25);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The body as text, or null when it is larger than `maxBytes` (reading stops at the cap). */
async function readBodyCapped(response: Response, maxBytes: number): Promise<string | null> {
  const bytes = await readCapped(response.body, maxBytes, response.headers.get('content-length'));
  return bytes === 'too_large' ? null : new TextDecoder().decode(bytes);
}
