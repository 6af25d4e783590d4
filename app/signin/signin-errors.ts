/**
 * next-auth reports failures as a string. Our `authorize` throws user-facing sentences (they reach
 * the form through next-auth's JSON answer, never from the address bar); next-auth's own codes are
 * mapped here. Codes in a `?error=` query are only ever looked up, never shown, so a crafted link
 * cannot put arbitrary text on the page.
 */

const NEXT_AUTH_CODES: Record<string, string> = {
  CredentialsSignin: 'Grantex did not accept this API key. Check that you pasted the whole key.',
  Configuration: 'The console is not configured correctly (see the server log). Try again after it is fixed.',
  AccessDenied: 'This API key may not sign in to the console.',
  SessionRequired: 'Sign in to continue.',
  Default: 'Sign-in failed. Try again.',
};

/** For the result of `signIn(…, { redirect: false })`. */
export function messageForSigninResult(error: string): string {
  return NEXT_AUTH_CODES[error] ?? error;
}

/** For a `?error=` query parameter (untrusted). */
export function messageForErrorQuery(error: string | undefined): string | undefined {
  if (!error) return undefined;
  return NEXT_AUTH_CODES[error] ?? NEXT_AUTH_CODES.Default;
}
