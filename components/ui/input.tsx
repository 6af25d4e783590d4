import type { ComponentPropsWithRef } from 'react';
import { cn, focusRing } from './cn';

const base = cn(
  'block w-full rounded-md border bg-white px-3 text-sm text-gray-900 shadow-sm placeholder:text-gray-400',
  'disabled:cursor-not-allowed disabled:bg-gray-50 disabled:text-gray-500',
  focusRing,
  'focus-visible:outline-offset-0',
);

function borderFor(invalid: unknown) {
  return invalid === true || invalid === 'true' ? 'border-red-500' : 'border-gray-300';
}

export type InputProps = ComponentPropsWithRef<'input'>;

/** Styled input; the red border follows `aria-invalid`, so visual and announced state never disagree. */
export function Input({ className, ...rest }: InputProps) {
  return <input className={cn(base, 'h-10', borderFor(rest['aria-invalid']), className)} {...rest} />;
}

export type TextareaProps = ComponentPropsWithRef<'textarea'>;

export function Textarea({ className, ...rest }: TextareaProps) {
  return <textarea className={cn(base, 'min-h-24 py-2', borderFor(rest['aria-invalid']), className)} {...rest} />;
}
