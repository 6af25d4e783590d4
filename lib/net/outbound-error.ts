/**
 * The one error type thrown by the outbound guard. Callers switch on `kind`; the message is
 * safe to log and to show (it names the origin and path but never the query string, which
 * may carry codes or tokens).
 */
export type OutboundErrorKind = 'blocked_address' | 'timeout' | 'too_large' | 'network' | 'bad_url';

export class OutboundError extends Error {
  readonly kind: OutboundErrorKind;

  constructor(kind: OutboundErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutboundError';
    this.kind = kind;
  }
}

/** `https://host:port/path` without user info, query or fragment — what messages may show. */
export function describeUrl(url: URL | string): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

/** Finds an OutboundError anywhere in a cause chain (undici wraps connect errors in "fetch failed"). */
export function findOutboundError(err: unknown): OutboundError | null {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current; depth += 1) {
    if (current instanceof OutboundError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
