/**
 * One deadline for a piece of work that makes several outbound calls (a sign-in's callback: discovery, JWKS,
 * token, userinfo). Each call keeps its own timeout; the deadline is one AbortSignal the calls combine with it
 * (`AbortSignal.any`), so whichever ends first stops the call. The deadline's abort reason is a
 * `DeadlineExceededError`, which tells it apart from a step's own timeout.
 */

/** The abort reason of a deadline's signal. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  constructor(readonly deadlineMs: number) {
    super(`The deadline of ${deadlineMs} ms passed`);
  }
}

export interface Deadline {
  /** Aborted with a DeadlineExceededError once `ms` have passed. */
  readonly signal: AbortSignal;
  /** Whether the deadline has passed (its signal aborted). */
  expired(): boolean;
  /** Stops the timer (the work finished first). */
  clear(): void;
}

export function startDeadline(ms: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineExceededError(ms)), ms);
  timer.unref();
  return {
    signal: controller.signal,
    expired: () => controller.signal.aborted,
    clear: () => clearTimeout(timer),
  };
}

/** The deadline that ended `signal`, if `signal` was ended by one. */
export function deadlineExceeded(signal: AbortSignal | undefined): DeadlineExceededError | null {
  return signal?.aborted && signal.reason instanceof DeadlineExceededError ? signal.reason : null;
}

/**
 * Waits for `work` until `signal` aborts, then rejects with the signal's reason. The work itself goes on: this is
 * for work shared with other callers (a coalesced discovery or JWKS load that warms a cache for every tenant of
 * that IdP), which one caller's deadline must not cancel; its own timeout still bounds it.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}
