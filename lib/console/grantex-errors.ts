import 'server-only';
import { env } from '@/lib/env';
import { isGrantexError } from '@/lib/grantex/errors';
import { grantexFailureText } from './messages';

/**
 * A user-facing sentence for any error thrown while talking to Grantex: what happened and what to do
 * (the text is in messages.ts, chosen by the error's kind). It lives with the console, not with the
 * Grantex client, which only reports what failed. The key is never part of it: GrantexError messages
 * never contain it, and nothing else is echoed.
 */
export function describeGrantexError(err: unknown): string {
  return grantexFailureText(isGrantexError(err) ? err : null, () => ({
    production: env().isProduction,
    url: env().GRANTEX_URL,
  }));
}
