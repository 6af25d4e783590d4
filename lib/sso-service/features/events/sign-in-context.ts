/**
 * The per-request sign-in record the callback routes and the protocols fill, and the capture hooks read once
 * the answer is sent (capture.ts). Routes set a few fields through `startSignIn(request, …)`; protocols add to
 * the redacted trace through `currentSignInTrace()` (an AsyncLocalStorage entered for the callback routes), so
 * neither the protocol seam nor the relying party needs to know about requests or events.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';
import type { SignInReason, SignInStage, SignInStarter } from '@/lib/contract';
import type { RpTrace } from '../../oidc';
import { startTraceClock } from '../../oidc/trace';

export interface SignInRecord {
  /** The org the attempt belongs to; null until the route knows it (an unreadable state never does). */
  developerId: string | null;
  connectionId: string | null;
  protocol: string;
  startedBy: SignInStarter;
  /** The stage reached (a failure with a reason code takes that reason's stage instead). */
  stage: SignInStage;
  /**
   * The stage of a failure whose reason spans several stages (the sign-in deadline: the step that was running);
   * wins over the reason's own stage.
   */
  failedStage: SignInStage | null;
  /** Set by a route when it knows better than the error (e.g. a replayed state); wins over the error's reason. */
  reason: SignInReason | null;
  /** When the login state expires (ms since the epoch), to tell an expired state from a replayed one. */
  stateExpiresAtMs: number | null;
  identity: { sub: string; email: string | null; name: string | null } | null;
  idpError: string | null;
  idpErrorDescription: string | null;
  /** Redacted: claims without the token, code, signature or nonce; issuer; timings. */
  trace: RpTrace;
  /** The error the request failed with (set by the onError hook). */
  error: unknown;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The sign-in this request completes (callback routes only), else null. */
    signIn: SignInRecord | null;
  }
}

const current = new AsyncLocalStorage<SignInRecord>();

export function newSignInRecord(): SignInRecord {
  const trace: RpTrace = {};
  // The trace's step times count from the moment the callback request began.
  startTraceClock(trace);
  return {
    developerId: null,
    connectionId: null,
    protocol: 'oidc',
    startedBy: 'member',
    stage: 'callback',
    failedStage: null,
    reason: null,
    stateExpiresAtMs: null,
    identity: null,
    idpError: null,
    idpErrorDescription: null,
    trace,
    error: undefined,
  };
}

/** Runs `next` (the rest of the request) with `record` as the current sign-in. */
export function runWithSignIn(record: SignInRecord, next: () => void): void {
  current.run(record, next);
}

/** The trace of the sign-in this request is completing, for a protocol to fill; undefined elsewhere. */
export function currentSignInTrace(): RpTrace | undefined {
  return current.getStore()?.trace;
}

/** The request's sign-in record with `fields` set (created when the capture hook did not make one). */
export function startSignIn(
  request: FastifyRequest,
  fields: Partial<Omit<SignInRecord, 'trace' | 'error'>>,
): SignInRecord {
  const record = request.signIn ?? newSignInRecord();
  Object.assign(record, fields);
  request.signIn = record;
  return record;
}
