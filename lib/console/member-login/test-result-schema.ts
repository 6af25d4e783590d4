/**
 * The shape of a test sign-in outcome. Browser-safe (no server-only): the settings page's
 * polling component parses the JSON from /api/sso/test-result with the same schema.
 *
 * Written with `zod/mini` (same package, functional API): only the validators used here reach
 * the browser, instead of all of zod (~34 KB gzip) — see docs/ARCHITECTURE.md.
 */
import * as z from 'zod/mini';
import { TEST_STAGES } from './test-stages';

export { TEST_STAGES, type TestStage } from './test-stages';

export const testStageSchema = z.enum(TEST_STAGES);

const identitySchema = z.object({
  developerId: z.string(),
  email: z.nullable(z.string()),
  emailVerified: z.optional(z.boolean()),
  name: z.nullable(z.string()),
  sub: z.string(),
});

const errorSchema = z.object({
  message: z.string().check(z.maxLength(1000)),
  code: z.nullable(z.string().check(z.maxLength(100))),
  requestId: z.nullable(z.string().check(z.maxLength(200))),
});

/** The connection a test sign-in ran on (absent: the org's default, as a member login would pick). */
const connectionId = z.optional(z.string().check(z.maxLength(200)));

export const testResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pending'), developerId: z.string(), connectionId, startedAt: z.string() }),
  z.object({
    status: z.literal('success'),
    developerId: z.string(),
    connectionId,
    startedAt: z.string(),
    finishedAt: z.string(),
    identity: identitySchema,
  }),
  z.object({
    status: z.literal('failure'),
    developerId: z.string(),
    connectionId,
    startedAt: z.string(),
    finishedAt: z.string(),
    stage: testStageSchema,
    error: errorSchema,
  }),
]);
export type TestResult = z.infer<typeof testResultSchema>;
export type TestError = z.infer<typeof errorSchema>;

/** The body of GET /api/sso/test-result. */
export const testResultResponseSchema = z.object({ result: z.nullable(testResultSchema) });
