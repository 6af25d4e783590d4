import 'server-only';
import { checkConsoleRate } from '@/lib/rate-limit/console-limits';
import type { HeaderSource } from '@/lib/rate-limit';
import { signinRateText } from '@/lib/console/messages';

/**
 * Counts one admin sign-in attempt (or demo-organization creation) for the requester's address only; returns
 * the seconds to wait when over the limit, else null.
 *
 * There is deliberately no process-wide bucket. API keys (and setup tokens) are 256-bit random values: no
 * number of guesses a global cap would allow or deny makes a brute force feasible, so such a cap protects
 * nothing. What it does do is let anyone fill it and lock every admin, and every setup-link redemption, out.
 */
export function checkSigninRate(headers: HeaderSource): number | null {
  return checkConsoleRate('signin', headers);
}

export function signinRateMessage(seconds: number): string {
  return signinRateText(seconds);
}
