/**
 * Errors as data in the service: a reason code is given where an error is thrown and read back by code, never
 * chosen by comparing a message's text (a reworded message would silently change the code or the sign-in log).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_REASON_CODES, MESSAGES } from '@/lib/contract';
import { ApiError, errorDetailsOf, reasonCodeOf, reasonError } from '@/lib/sso-service/http/api-error';
import { replayedFailure, storedFailure } from '@/lib/sso-service/features/login/state-failure';

const SERVICE = path.join(process.cwd(), 'lib/sso-service');
/**
 * Where a library's failure carries no finer code than its (library-fixed) message, the adapter over that library
 * reads it: the relying party (openid-client), the SAML core (node-saml), the PostgreSQL backend (pg's client-side
 * errors). That is classifying a third party's errors, not the service deciding by its own messages.
 */
const THIRD_PARTY_ERROR_READERS = new Set(['oidc', 'saml', 'storage'].map((dir) => path.join(SERVICE, dir)));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return THIRD_PARTY_ERROR_READERS.has(full) ? [] : sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** `x.message === …`, `… === MESSAGES.y`, a lookup keyed by contract messages (`[MESSAGES.y, …]`), or a pattern run on a message. */
const BY_MESSAGE =
  /\.message\s*[!=]==|[!=]==\s*MESSAGES\.|MESSAGES\.\w+\s*[!=]==|\[MESSAGES\.\w+,|\.test\([\w.]*message\)/;

describe('the service decides by code, not by message text', () => {
  it('no service file compares or keys on a message', () => {
    const offenders = sourceFiles(SERVICE).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => [line, i] as const)
        .filter(([line]) => BY_MESSAGE.test(line))
        .map(([line, i]) => `${path.relative(process.cwd(), file)}:${i + 1}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });

  it('reasonError: the code picks the message and the entry (with its field where it has one)', () => {
    for (const code of ERROR_REASON_CODES) {
      const err = reasonError(code);
      expect(err).toBeInstanceOf(ApiError);
      expect(reasonCodeOf(err)).toBe(code);
      expect(errorDetailsOf(err)).toEqual([expect.objectContaining({ code, message: err.message })]);
    }
    expect(errorDetailsOf(reasonError('invalid_state'))).toEqual([
      { field: 'state', code: 'invalid_state', message: MESSAGES.invalidState },
    ]);
    // A plain error with a contract message carries no code: nothing is inferred from the text.
    expect(errorDetailsOf(new ApiError(400, 'BAD_REQUEST', MESSAGES.invalidState))).toBeUndefined();
  });

  it('a recorded callback failure replays with the same status, code, message and reason code', () => {
    const original = reasonError('sso_not_configured', {
      status: 404,
      code: 'NOT_FOUND',
      reason: 'connection_inactive',
    });
    const stored = storedFailure(original);
    expect(stored).toEqual({
      status: 404,
      code: 'NOT_FOUND',
      message: MESSAGES.ssoNotConfigured,
      reason: 'sso_not_configured',
    });
    const replayed = replayedFailure(stored);
    expect([replayed.statusCode, replayed.code, replayed.message, replayed.reason]).toEqual([
      404,
      'NOT_FOUND',
      MESSAGES.ssoNotConfigured,
      'state_replayed',
    ]);
    expect(errorDetailsOf(replayed)).toEqual(errorDetailsOf(original));
    // Rows without a code (or with an unknown one) replay as they are.
    const plain = replayedFailure({ status: 502, code: 'SSO_ERROR', message: 'Token exchange failed' });
    expect([plain.statusCode, plain.code, plain.message, errorDetailsOf(plain)]).toEqual([
      502,
      'SSO_ERROR',
      'Token exchange failed',
      undefined,
    ]);
    expect(replayedFailure({ status: 400, code: 'BAD_REQUEST;no_such_code', message: 'x' }).errors).toBeUndefined();
  });
});
