'use client';

import { useActionState } from 'react';
import Link from 'next/link';
import { Alert, buttonClasses } from '@/components/ui';
import { SubmitButton } from '@/components/sso/submit-button';
import { initialFormState } from '@/lib/auth/form-state';
import { revokeSetupLink } from './actions';

/** The confirmation step of "Revoke" (a page state, so it works without JavaScript). */
export function RevokeForm({ id }: { id: string }) {
  const [state, action] = useActionState(revokeSetupLink, initialFormState<{ id: string }>());
  return (
    <form action={action} className="flex flex-wrap items-center gap-3">
      <input type="hidden" name="id" value={id} />
      {state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
      <SubmitButton variant="danger" pendingLabel="revoking">
        Revoke link
      </SubmitButton>
      <Link href="/settings/sso/setup-links" className={buttonClasses('secondary', 'md')}>
        Cancel
      </Link>
    </form>
  );
}
