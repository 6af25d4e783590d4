'use client';

import { ConfirmActionForm } from '@/components/sso/confirm-action-form';
import { revokeSetupLink } from './actions';

/** The confirmation step of "Revoke" (a page state, so it works without JavaScript). */
export function RevokeForm({ id }: { id: string }) {
  return (
    <ConfirmActionForm action={revokeSetupLink} id={id} pendingLabel="revoking" cancelHref="/settings/sso/setup-links">
      Revoke link
    </ConfirmActionForm>
  );
}
