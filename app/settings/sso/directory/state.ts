/** Typed results of the directory-sync token form (browser-safe: the form renders them). */
import type { RefusalCode } from '@/lib/auth/form-state';

export type CreateTokenState =
  | { status: 'idle' }
  | {
      status: 'error';
      formError: string;
      /** Set when the caller may not create one at all (see lib/auth/permissions.ts). */
      code?: RefusalCode;
      fieldErrors: { label?: string; connectionId?: string };
      values: { label: string; connectionId: string };
    }
  /** The token itself: returned once, to the person who created it, and never stored by the console. */
  | { status: 'created'; token: string; label: string; scimBaseUrl: string | null };

export const initialCreateTokenState: CreateTokenState = { status: 'idle' };

/** The connection select's value for a token of the whole organization. */
export const ALL_CONNECTIONS = '*';
