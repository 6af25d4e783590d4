import { cn } from '@/components/ui/cn';

/** A radio shown as a bordered chip that lights up when checked or keyboard-focused (the SAML pickers). */
export const CHOICE_CHIP = cn(
  'rounded-md border border-gray-300 bg-white px-3 text-sm text-gray-900',
  'hover:bg-gray-50 has-[:checked]:border-indigo-600 has-[:checked]:bg-indigo-50 has-[:checked]:text-indigo-900',
  'has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-indigo-600',
);
