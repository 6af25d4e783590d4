import { GrantexError } from '@/lib/grantex';

/** Awaits a client call that must fail and returns its GrantexError (any other outcome fails the test). */
export async function failure(promise: Promise<unknown>): Promise<GrantexError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GrantexError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
