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
import { z } from 'zod';
import { seal, unseal } from './sealing';

export const TEST_RESULT_COOKIE = 'gx_sso_test';
/** Written by /sso/*, read by /settings/sso and /api/sso/test-result, so the whole site. */
export const TEST_RESULT_COOKIE_PATH = '/';
export const TEST_RESULT_TTL_SECONDS = 60 * 60;
/** A test still "pending" after this long was abandoned at the IdP. */
export const TEST_PENDING_MAX_MS = 10 * 60 * 1000;

export const TEST_STAGES = ['start', 'idp', 'finish'] as const;
export const testStageSchema = z.enum(TEST_STAGES);
export type TestStage = z.infer<typeof testStageSchema>;

export const STAGE_LABELS: Record<TestStage, string> = {
  start: 'Starting the login',
  idp: 'At your identity provider',
  finish: 'Finishing the login',
};

const identitySchema = z.object({
  developerId: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  sub: z.string(),
});

const errorSchema = z.object({
  message: z.string().max(1000),
  code: z.string().max(100).nullable(),
  requestId: z.string().max(200).nullable(),
});

export const testResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pending'), developerId: z.string(), startedAt: z.string() }),
  z.object({
    status: z.literal('success'),
    developerId: z.string(),
    startedAt: z.string(),
    finishedAt: z.string(),
    identity: identitySchema,
  }),
  z.object({
    status: z.literal('failure'),
    developerId: z.string(),
    startedAt: z.string(),
    finishedAt: z.string(),
    stage: testStageSchema,
    error: errorSchema,
  }),
]);
export type TestResult = z.infer<typeof testResultSchema>;
export type TestError = z.infer<typeof errorSchema>;

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
      error: { message: 'The test sign-in was not finished within 10 minutes.', code: null, requestId: null },
    };
  }
  return result;
}
