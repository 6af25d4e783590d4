/**
 * The redacted ID-token claims a sign-in trace keeps: never the token, its signature or hashes of the code or
 * access token, and not the nonce's value. Strings are capped and so is the number of claims, so a hostile IdP
 * cannot make a trace large.
 */
import { ATTRIBUTE_MAPPING_LIMITS, EVENT_LIMITS } from '@/lib/contract';
import type { RpTrace } from './types';

/** Claims never kept: the nonce value and the hashes that bind the token to the code and access token. */
const DROPPED_CLAIMS = new Set(['nonce', 'at_hash', 'c_hash', 's_hash']);
const MAX_DEPTH = 3;
const MAX_ARRAY = 32;
/**
 * Longest key kept inside a claim: SAML attribute names are URIs such as
 * `http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress` (67 characters), and the console shows
 * them whole so an admin can map them (the contract's attribute-name limit).
 */
const NESTED_KEY_MAX = ATTRIBUTE_MAPPING_LIMITS.nameMax;

function capValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    return value.length > EVENT_LIMITS.traceStringMax ? `${value.slice(0, EVENT_LIMITS.traceStringMax)}…` : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.slice(0, MAX_ARRAY).map((v) => capValue(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, MAX_ARRAY))
      out[k.slice(0, NESTED_KEY_MAX)] = capValue(v, depth + 1);
    return out;
  }
  return undefined;
}

export function redactClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let kept = 0;
  for (const [name, value] of Object.entries(claims)) {
    if (DROPPED_CLAIMS.has(name)) continue;
    if (kept++ >= EVENT_LIMITS.traceClaimsMax) break;
    out[name.slice(0, 64)] = capValue(value, 0);
  }
  return out;
}

/** Steps a trace keeps at most (a callback has four; the cap keeps a trace small whatever calls it). */
const MAX_STEPS = 16;

/** When each attempt began (performance.now()), kept beside its trace object, never in it. */
const origins = new WeakMap<RpTrace, number>();

/** Marks `trace`'s attempt as beginning now: its steps' times count from here. */
export function startTraceClock(trace: RpTrace, at = performance.now()): void {
  origins.set(trace, at);
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The step each attempt is in now (a step is kept in `steps` only once it ends). */
const running = new WeakMap<RpTrace, string>();

/** The step `trace`'s attempt is running now, if any: the one a deadline cut when it fires. */
export function runningStep(trace: RpTrace): string | undefined {
  return running.get(trace);
}

/**
 * Runs `work` as the step `name` of the attempt: its start and end in ms since the attempt began (rounded to
 * 0.1 ms) and whether it succeeded. Names and times only: nothing the step sent or received.
 */
export async function traceStep<T>(trace: RpTrace | undefined, name: string, work: () => Promise<T>): Promise<T> {
  if (!trace) return work();
  const started = performance.now();
  if (!origins.has(trace)) origins.set(trace, started);
  const origin = origins.get(trace) ?? started;
  let ok = false;
  running.set(trace, name);
  try {
    const result = await work();
    ok = true;
    return result;
  } finally {
    if (running.get(trace) === name) running.delete(trace);
    const steps = (trace.steps ??= []);
    if (steps.length < MAX_STEPS)
      steps.push({ name, startMs: round(started - origin), endMs: round(performance.now() - origin), ok });
  }
}
