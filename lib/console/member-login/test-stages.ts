/** Test sign-in stages: plain constants (no zod), so views can use them for free. Their labels are in ../messages.ts. */
export const TEST_STAGES = ['start', 'idp', 'finish'] as const;
export type TestStage = (typeof TEST_STAGES)[number];
