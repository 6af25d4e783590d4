/** Joins class names, skipping falsy entries, so conditional styling stays readable. */
export function cn(...parts: Array<string | false | null | undefined>): string {
  return parts.filter(Boolean).join(' ');
}

/** One focus ring for every interactive element, so keyboard users always see where they are. */
export const focusRing = 'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600';
