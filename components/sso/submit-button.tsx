'use client';

import { useFormStatus } from 'react-dom';
import { Button, type ButtonProps } from '@/components/ui';

/**
 * A submit button that shows the enclosing form's pending state and blocks double submits.
 * Without JavaScript it is a plain submit button, so the forms it sits in still work.
 */
export function SubmitButton({ children, pendingLabel, ...rest }: Omit<ButtonProps, 'type' | 'pending'>) {
  const { pending } = useFormStatus();
  return (
    <Button type="submit" pending={pending} pendingLabel={pendingLabel} {...rest}>
      {children}
    </Button>
  );
}
