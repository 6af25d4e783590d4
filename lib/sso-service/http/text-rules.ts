/**
 * Characters refused in stored free text (org names, client ids and secrets): C0/C1 controls (NUL, ANSI
 * escapes), zero-width characters and bidi overrides/isolates. They make a value display as something it
 * is not (a log line, a console page, a terminal), and no legitimate name or credential needs them.
 */
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

export function hasUnsafeText(value: string): boolean {
  return UNSAFE_TEXT.test(value);
}

export const UNSAFE_TEXT_MESSAGE = 'must not contain control, zero-width or text-direction characters';
