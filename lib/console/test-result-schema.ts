/**
 * The shape of a test sign-in outcome. Browser-safe (no server-only): the settings page's
 * polling component parses the JSON from /api/sso/test-result with the same schema.
 */
import { z } from 'zod';

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
