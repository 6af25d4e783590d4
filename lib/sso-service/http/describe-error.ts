/**
 * What a log line may say about an unexpected error: its name, code (and storage kind) and stack frames.
 * Never the message: it can quote input (a secret, a code, a state, an SQL parameter).
 */
import { asStoreError } from '../storage/errors';

function stackFrames(err: Error): string[] {
  return (err.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 8)
    .map((line) => line.trim());
}

export function describeError(err: unknown): Record<string, unknown> {
  const storeError = asStoreError(err);
  if (storeError) return { name: storeError.name, kind: storeError.kind, code: storeError.driverCode };
  if (!(err instanceof Error)) return { name: typeof err };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, code: typeof code === 'string' ? code : undefined, frames: stackFrames(err) };
}
