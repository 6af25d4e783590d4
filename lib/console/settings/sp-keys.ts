/**
 * A SAML connection's SP-key actions on its page: the outcome codes the page reads back (`?spkey=`) and the
 * wording of a refused change, chosen by Grantex's reason code (never its message).
 */
import type { ActionOutcome } from '@/lib/auth/action';
import { CONNECTION_ERRORS, SP_KEY_TEXT } from '@/lib/console/messages';
import { isGrantexError } from '@/lib/grantex/errors';

export const SP_KEY_OUTCOMES = ['signOn', 'signOff', 'first', 'rotated', 'promoted', 'retired'] as const;
export type SpKeyOutcome = (typeof SP_KEY_OUTCOMES)[number];

/** The `?spkey=` value as an outcome, or null for anything else. */
export function spKeyOutcomeOf(value: unknown): SpKeyOutcome | null {
  return SP_KEY_OUTCOMES.find((o) => o === value) ?? null;
}

/** A refused SP-key change as the form shows it. */
export function spKeyRejection(err: unknown): ActionOutcome<Record<string, string>> {
  if (isGrantexError(err) && err.kind === 'not_found') return { formError: CONNECTION_ERRORS.not_found };
  if (isGrantexError(err)) {
    const code = err.errors?.find((e) => SP_KEY_TEXT.codes[e.code] !== undefined)?.code;
    return { formError: code ? SP_KEY_TEXT.codes[code]! : SP_KEY_TEXT.failed };
  }
  throw err;
}
