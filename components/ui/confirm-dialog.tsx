'use client';

import {
  cloneElement,
  useEffect,
  useId,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
  type PointerEvent,
  type ReactElement,
  type ReactNode,
  type SyntheticEvent,
} from 'react';
import { Button, type ButtonProps } from './button';

type TriggerProps = {
  onClick?: (event: MouseEvent<HTMLElement>) => void;
  'aria-haspopup'?: 'dialog';
  'aria-expanded'?: boolean;
  'aria-controls'?: string;
};

export interface ConfirmDialogProps {
  /** Element that opens the dialog (its onClick is composed), e.g. a <Button>. Optional when controlled. */
  trigger?: ReactElement<TriggerProps>;
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

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal confirmation on the native <dialog> (showModal): the page behind is inert, Tab cycles
 * inside the dialog, Escape and a click outside cancel (unless pending), focus returns to the element
 * that opened it, and the dialog is labelled by its title and described by its description.
 * No dialog library, so it costs the routes that use it next to nothing.
 */
export function ConfirmDialog({
  trigger,
  open: openProp,
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
  const [uncontrolledOpen, setUncontrolledOpen] = useState(false);
  const open = openProp ?? uncontrolledOpen;
  const dialogRef = useRef<HTMLDialogElement>(null);
  /** The element focus goes back to on close: the trigger that opened it, else whatever had focus. */
  const returnFocusRef = useRef<HTMLElement | null>(null);
  const [opener, setOpener] = useState<HTMLElement | null>(null);
  const id = useId();
  const titleId = `${id}-title`;
  const descriptionId = `${id}-description`;
  const dialogId = `${id}-dialog`;

  function setOpen(next: boolean) {
    if (openProp === undefined) setUncontrolledOpen(next);
    onOpenChange?.(next);
  }
  // While the action runs, the dialog stays open so its outcome is not lost behind a closed overlay.
  function requestClose() {
    if (!pending) setOpen(false);
  }

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      returnFocusRef.current =
        opener ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
    }
    if (!open && returnFocusRef.current) {
      const target = returnFocusRef.current;
      returnFocusRef.current = null;
      if (target.isConnected) target.focus();
    }
  }, [open, opener]);

  function onKeyDown(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      requestClose();
      return;
    }
    if (event.key !== 'Tab') return;
    const items = Array.from(event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE));
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) {
      event.preventDefault();
    } else if (
      event.shiftKey &&
      (document.activeElement === first || !event.currentTarget.contains(document.activeElement))
    ) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  // A press on the backdrop targets the <dialog> itself, outside its box. Closing on the click (not
  // on pointer-down) lets the browser finish its own focus handling first, so focus lands back on
  // the trigger; both halves must be outside, so a drag out of the dialog does not cancel it.
  const pressedOutsideRef = useRef(false);
  function isOutside(event: MouseEvent<HTMLDialogElement>) {
    if (event.target !== event.currentTarget) return false;
    const box = event.currentTarget.getBoundingClientRect();
    return (
      event.clientX < box.left || event.clientX > box.right || event.clientY < box.top || event.clientY > box.bottom
    );
  }
  function onPointerDown(event: PointerEvent<HTMLDialogElement>) {
    pressedOutsideRef.current = isOutside(event);
  }
  function onClick(event: MouseEvent<HTMLDialogElement>) {
    if (pressedOutsideRef.current && isOutside(event)) requestClose();
    pressedOutsideRef.current = false;
  }

  // Escape that the browser handles itself (e.g. its close watcher): keep React's state in charge.
  function onCancel(event: SyntheticEvent<HTMLDialogElement>) {
    event.preventDefault();
    requestClose();
  }
  function onClose() {
    if (open) setOpen(false);
  }

  const triggerElement = trigger
    ? cloneElement(trigger, {
        'aria-haspopup': 'dialog',
        'aria-expanded': open,
        'aria-controls': open ? dialogId : undefined,
        onClick: (event: MouseEvent<HTMLElement>) => {
          trigger.props.onClick?.(event);
          if (event.defaultPrevented) return;
          setOpener(event.currentTarget);
          setOpen(true);
        },
      })
    : null;

  return (
    <>
      {triggerElement}
      <dialog
        ref={dialogRef}
        id={dialogId}
        aria-labelledby={titleId}
        aria-describedby={descriptionId}
        onKeyDown={onKeyDown}
        onPointerDown={onPointerDown}
        onClick={onClick}
        onCancel={onCancel}
        onClose={onClose}
        className="m-auto w-[calc(100vw-2rem)] max-w-md rounded-lg bg-white p-6 text-left shadow-xl backdrop:bg-gray-900/50 focus:outline-none"
      >
        {open ? (
          <>
            <h2 id={titleId} className="text-lg font-semibold text-gray-900">
              {title}
            </h2>
            <p id={descriptionId} className="mt-2 text-sm text-gray-600">
              {description}
            </p>
            {children ? <div className="mt-3 text-sm text-gray-700">{children}</div> : null}
            <div className="mt-6 flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
              <Button variant="secondary" disabled={pending} onClick={requestClose}>
                {cancelLabel}
              </Button>
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
          </>
        ) : null}
      </dialog>
    </>
  );
}
