/**
 * The outcome of the admin's last test sign-in.
 *
 * Stored in a sealed HttpOnly cookie rather than a server-side map because: the test tab and the
 * settings tab share the admin's cookie jar, so the result naturally reaches exactly the browser
 * that ran the test; it survives console restarts and works with several console instances
 * without shared storage; and the server holds no per-admin memory that could grow unbounded.
 * The payload names the admin's developer id and is only returned when it matches the signed-in
 * admin, so switching organizations in the same browser never shows another org's result.
 */
import 'server-only';
import { seal, unseal } from './sealing';
import { LOGIN_FAILURE_DETAILS } from '../messages';
import { testResultSchema, type TestResult } from './test-result-schema';

export const TEST_RESULT_COOKIE = 'gx_sso_test';
/** Written by /sso/*, read by /settings/sso and /api/sso/test-result, so the whole site. */
export const TEST_RESULT_COOKIE_PATH = '/';
export const TEST_RESULT_TTL_SECONDS = 60 * 60;
/** A test still "pending" after this long was abandoned at the IdP. */
export const TEST_PENDING_MAX_MS = 10 * 60 * 1000;

export {
  TEST_STAGES,
  testStageSchema,
  testResultSchema,
  type TestStage,
  type TestResult,
  type TestError,
} from './test-result-schema';

export function sealTestResult(result: TestResult, secret: string): Promise<string> {
  return seal({ ...result }, { secret, purpose: 'test-result', ttlSeconds: TEST_RESULT_TTL_SECONDS });
}

/** The stored result, only when it belongs to `developerId`. */
export async function readTestResult(
  value: string | undefined,
  developerId: string,
  secret: string,
): Promise<TestResult | null> {
  const result = await unseal(value, { secret, purpose: 'test-result', schema: testResultSchema });
  if (!result || result.developerId !== developerId) return null;
  if (result.status === 'pending' && Date.now() - Date.parse(result.startedAt) > TEST_PENDING_MAX_MS) {
    return {
      status: 'failure',
      developerId,
      startedAt: result.startedAt,
      finishedAt: new Date(Date.parse(result.startedAt) + TEST_PENDING_MAX_MS).toISOString(),
      stage: 'idp',
      error: { message: LOGIN_FAILURE_DETAILS.test_not_finished, code: null, requestId: null },
    };
  }
  return result;
}
