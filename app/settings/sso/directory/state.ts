/** Typed results of the directory-sync token form (browser-safe: the form renders them). */

export type CreateTokenState =
  | { status: 'idle' }
  | {
      status: 'error';
      formError: string;
      fieldErrors: { label?: string; connectionId?: string };
      values: { label: string; connectionId: string };
    }
  /** The token itself: returned once, to the person who created it, and never stored by the console. */
  | { status: 'created'; token: string; label: string; scimBaseUrl: string | null };

export const initialCreateTokenState: CreateTokenState = { status: 'idle' };

/** The connection select's value for a token of the whole organization. */
export const ALL_CONNECTIONS = '*';
