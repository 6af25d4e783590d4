/** The break-glass sign-in form's typed result (browser-safe). The credential is never echoed back. */
import type { FormState } from '@/lib/auth/form-state';

export interface BreakGlassValues {
  credential: string;
}
export type BreakGlassState = FormState<BreakGlassValues>;
