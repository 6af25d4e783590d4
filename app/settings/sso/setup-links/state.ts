/** Typed results of the setup-links actions (browser-safe: the create form renders them). */
import type { RefusalCode } from '@/lib/auth/form-state';

/** The expiries the form offers, in hours (the service allows any whole number from 1 to 168). */
export const EXPIRY_CHOICES = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '24 hours' },
  { hours: 72, label: '72 hours (3 days)' },
  { hours: 168, label: '7 days' },
] as const;
export const DEFAULT_EXPIRY_HOURS = 72;

export type CreateLinkState =
  | { status: 'idle' }
  | {
      status: 'error';
      formError: string;
      /** Set when the caller may not create one at all (see lib/auth/permissions.ts). */
      code?: RefusalCode;
      fieldErrors: { expiresInHours?: string; label?: string };
      values: { expiresInHours: string; label: string };
    }
  /** The link's URL, token and all: returned once, to the admin who created it, and never stored by the console. */
  | { status: 'created'; url: string; expiresAt: string; label: string | null };

export const initialCreateLinkState: CreateLinkState = { status: 'idle' };
