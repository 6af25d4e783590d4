/** Test sign-in stages and their labels: plain constants (no zod), so views can use them for free. */
export const TEST_STAGES = ['start', 'idp', 'finish'] as const;
export type TestStage = (typeof TEST_STAGES)[number];

export const STAGE_LABELS: Record<TestStage, string> = {
  start: 'Starting the login',
  idp: 'At your identity provider',
  finish: 'Finishing the login',
};
