/**
 * Helpers for showing text that came from an identity provider (names, emails, error
 * descriptions). React already escapes it; these make it *readable and inert* as well: no
 * bidi overrides that reorder what the user sees (row 25), no control characters, and a length
 * cap so a 100 KB name cannot flood the page or a cookie.
 */

export const DISPLAY_MAX = 200;

// Bidi embeddings/overrides/isolates, zero-width and other invisible formatting characters.
const INVISIBLE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** Strips invisible/bidi characters, collapses whitespace and caps the length (in code points). */
export function displayText(value: string | null | undefined, max: number = DISPLAY_MAX): string {
  if (value == null) return '';
  const cleaned = value
    .slice(0, max * 4)
    .replace(INVISIBLE, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(cleaned);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : cleaned;
}

/** Cap for values kept in cookies: generous enough for real identities, small enough for 4 KB. */
export const STORED_MAX = 300;

export function storedText(value: string | null | undefined): string | null {
  if (value == null) return null;
  return displayText(value, STORED_MAX);
}
