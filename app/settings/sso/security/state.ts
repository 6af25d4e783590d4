/** Typed results of the security page's forms (browser-safe: the forms render them). */
import type { RefusalCode } from '@/lib/auth/form-state';

export type CreateCredentialState =
  | { status: 'idle' }
  | {
      status: 'error';
      formError: string;
      /** Set when the caller may not create one at all (see lib/auth/permissions.ts). */
      code?: RefusalCode;
      fieldErrors: { label?: string };
      values: { label: string };
    }
  /** The credential itself: returned once, to the owner who created it, and never stored by the console. */
  | { status: 'created'; id: string; label: string; credential: string };

export const initialCreateCredentialState: CreateCredentialState = { status: 'idle' };

export interface EnforcementValues {
  enforce: string;
}

export interface DeleteCredentialValues {
  id: string;
}
