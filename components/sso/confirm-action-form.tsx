'use client';

import { useActionState, type ReactNode } from 'react';
import Link from 'next/link';
import { Alert, buttonClasses } from '@/components/ui';
import { SubmitButton } from '@/components/sso/submit-button';
import { initialFormState, type FormState } from '@/lib/auth/form-state';

type IdValues = { id: string };

/**
 * The confirmation step of a destructive action on one item (revoke a link or token, delete an endpoint or a
 * credential): a page state reached by a link, so it works without JavaScript. The action gets the item's `id`;
 * its refusal (a role, a stale id) shows above the buttons.
 */
export function ConfirmActionForm({
  action,
  id,
  children,
  pendingLabel,
  cancelHref,
}: {
  action: (state: FormState<IdValues>, formData: FormData) => Promise<FormState<IdValues>>;
  id: string;
  /** The confirming button's text ("Revoke link"). */
  children: ReactNode;
  pendingLabel: string;
  cancelHref: string;
}) {
  const [state, formAction] = useActionState(action, initialFormState<IdValues>());
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-3">
      <input type="hidden" name="id" value={id} />
      {state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
      <SubmitButton variant="danger" pendingLabel={pendingLabel}>
        {children}
      </SubmitButton>
      <Link href={cancelHref} className={buttonClasses('secondary', 'md')}>
        Cancel
      </Link>
    </form>
  );
}
