'use client';

import * as Dialog from '@radix-ui/react-dialog';
import type { ReactElement, ReactNode } from 'react';
import { Button, type ButtonProps } from './button';

export interface ConfirmDialogProps {
  /** Element that opens the dialog (rendered with Radix `asChild`), e.g. a <Button>. Optional when controlled. */
  trigger?: ReactElement;
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  title: ReactNode;
  description: ReactNode;
  /** Extra content between the description and the buttons, e.g. a list of consequences. */
  children?: ReactNode;
  confirmLabel?: string;
  cancelLabel?: string;
  tone?: 'danger' | 'primary';
  /** Called on confirm. For server actions either call one here or pass `confirmProps={{ type: 'submit', form: 'form-id' }}`. */
  onConfirm?: () => void;
  pending?: boolean;
  pendingLabel?: string;
  /** Passed to the confirm button (e.g. `type`, `form`, `formAction`). */
  confirmProps?: Omit<ButtonProps, 'children' | 'variant' | 'pending'>;
}

export function ConfirmDialog({
  trigger,
  open,
  onOpenChange,
  title,
  description,
  children,
  confirmLabel = 'Confirm',
  cancelLabel = 'Cancel',
  tone = 'danger',
  onConfirm,
  pending = false,
  pendingLabel,
  confirmProps,
}: ConfirmDialogProps) {
  // While the action runs, the dialog stays open so its outcome is not lost behind a closed overlay.
  function handleOpenChange(next: boolean) {
    if (!next && pending) return;
    onOpenChange?.(next);
  }
  return (
    <Dialog.Root open={open} onOpenChange={handleOpenChange}>
      {trigger ? <Dialog.Trigger asChild>{trigger}</Dialog.Trigger> : null}
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-gray-900/50" />
        <Dialog.Content
          className="fixed top-1/2 left-1/2 z-50 w-[calc(100vw-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 rounded-lg bg-white p-6 shadow-xl focus:outline-none"
          onEscapeKeyDown={(event) => {
            if (pending) event.preventDefault();
          }}
          onPointerDownOutside={(event) => {
            if (pending) event.preventDefault();
          }}
        >
          <Dialog.Title className="text-lg font-semibold text-gray-900">{title}</Dialog.Title>
          <Dialog.Description className="mt-2 text-sm text-gray-600">{description}</Dialog.Description>
          {children ? <div className="mt-3 text-sm text-gray-700">{children}</div> : null}
          <div className="mt-6 flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
            <Dialog.Close asChild>
              <Button variant="secondary" disabled={pending}>
                {cancelLabel}
              </Button>
            </Dialog.Close>
            <Button
              {...confirmProps}
              variant={tone === 'danger' ? 'danger' : 'primary'}
              pending={pending}
              pendingLabel={pendingLabel}
              onClick={(event) => {
                confirmProps?.onClick?.(event);
                onConfirm?.();
              }}
            >
              {confirmLabel}
            </Button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
