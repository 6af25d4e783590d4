/**
 * The console's user-facing error and failure text, in one place, keyed by stable codes.
 *
 * Each entry says what went wrong and what to do next. Codes are what code passes around (and what
 * may travel in a URL, e.g. `/sso/error?code=expired`); the sentences are only looked up here, so
 * a crafted link can never make a page say something we did not write. A new failure (connections,
 * SAML, sign-in log reasons…) adds its code and text here, in the section it belongs to.
 *
 * Browser-safe: plain constants and small functions, no zod and no `server-only`, because client
 * components (the sign-in form, the test-result poller) render some of these too. Values that came
 * from an identity provider are made inert and capped with `displayText`; React escapes them.
 */
import { displayText } from './utils/display-text';
import { SSO_FIELD_LABELS, type SsoConfigField } from '@/lib/validations/sso-config-fields';
import type { TestStage } from './member-login/test-stages';
import type { DiscoveryFailure, DiscoveryFailureReason } from './settings/discovery-failure';
import type { GrantexErrorKind } from '@/lib/grantex/errors';

/** A problem shown as a heading plus what to do next. */
export interface Problem {
  title: string;
  next: string;
}

// ─── Member login: the /sso/error page ───────────────────────────────────────────────────────────

/** Why a member login failed. The keys are the codes `/sso/error?code=` accepts. */
export const MEMBER_LOGIN_ERRORS = {
  idp_error: {
    title: 'Your identity provider did not sign you in',
    next: 'The identity provider returned an error instead of signing you in. Start over and sign in again; if it keeps happening, ask your administrator whether your account may use this app.',
  },
  not_bound: {
    title: 'This sign-in could not be verified',
    next: 'The sign-in was not started in this browser, or it took more than 10 minutes. For your safety it was not completed. Start over from this browser.',
  },
  bad_request: {
    title: 'The sign-in response was incomplete',
    next: 'The identity provider sent the browser back without the expected parameters. Start over; if it happens again, tell your administrator.',
  },
  expired: {
    title: 'This sign-in has expired or was already used',
    next: 'Each sign-in link works once and for 10 minutes. Start over to get a fresh one.',
  },
  sso_failed: {
    title: 'Single sign-on failed',
    next: 'Grantex could not verify the sign-in with your identity provider. Start over; if it fails again, tell your administrator, with any details shown here.',
  },
  not_configured: {
    title: 'SSO is not configured for this organization',
    next: 'Ask your administrator to set up single sign-on, or check the organization ID.',
  },
  unavailable: {
    title: 'Sign-in is temporarily unavailable',
    next: 'Grantex could not be reached. Try again in a moment.',
  },
  rate_limited: {
    title: 'Too many sign-in attempts',
    next: 'Wait a minute, then try again.',
  },
  cross_site: {
    title: 'Sign-in must start on this site',
    next: 'The sign-in request did not come from this site, so it was refused. Start over from this page.',
  },
  start_failed: {
    title: 'The sign-in could not be started',
    next: 'Grantex did not return a usable sign-in link. Try again in a moment; if it persists, tell your administrator.',
  },
} as const satisfies Record<string, Problem>;
export type MemberLoginErrorCode = keyof typeof MEMBER_LOGIN_ERRORS;

/**
 * Details of our own making shown under a login or test failure (the flash cookie's `message`);
 * the IdP's and Grantex's own details are shown as they came, made inert.
 */
export const LOGIN_FAILURE_DETAILS = {
  unexpected: 'An unexpected error occurred.',
  no_usable_state: 'Grantex returned a sign-in link without a usable state.',
  no_authorization_code: 'The identity provider came back without an authorization code.',
  test_not_finished: 'The test sign-in was not finished within 10 minutes.',
} as const;
export type LoginFailureDetail = keyof typeof LOGIN_FAILURE_DETAILS;

/** The organization ID a member types on /login (or that came in a link). */
export const ORG_ID_ERRORS = {
  required: 'Enter your organization ID',
  too_long: 'That is not an organization ID',
  characters: 'Organization IDs contain only letters, digits, “_” and “-”',
  invalid_on_login: 'Enter the organization ID your administrator gave you (it starts with “dev_”).',
} as const;

/** Where an admin's test sign-in failed; shown as "Test sign-in failed: <stage>". */
export const TEST_STAGE_LABELS: Record<TestStage, string> = {
  start: 'Starting the login',
  idp: 'At your identity provider',
  finish: 'Finishing the login',
};

export function testFailureTitle(stage: TestStage): string {
  return `Test sign-in failed: ${TEST_STAGE_LABELS[stage]}`;
}

// ─── Talking to Grantex (any console page or action) ─────────────────────────────────────────────

/** What `describeGrantexError` (lib/grantex/server.ts) needs of a GrantexError. */
export interface GrantexFailure {
  kind: GrantexErrorKind;
  message: string;
  requestId: string | null;
  retryAfterSeconds: number | null;
}

/** Where the console talks to Grantex; read only for the failures that mention it. */
export interface GrantexService {
  production: boolean;
  url: string;
}

function withRequestId(text: string, err: GrantexFailure): string {
  return err.requestId ? `${text} (request ID ${err.requestId})` : text;
}

function ensureSentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * A sentence for a failure while talking to Grantex: what happened and what to do. `null` is any
 * error that is not a GrantexError: a generic sentence, since its own message may carry internals.
 * In production the service's address is not named (it would only tell visitors about internal hosts).
 */
export function grantexFailureText(err: GrantexFailure | null, service: () => GrantexService): string {
  if (!err) return 'Something went wrong in the console. Try again; if it keeps happening, check the server logs.';
  switch (err.kind) {
    case 'unauthorized':
      return withRequestId('Grantex no longer accepts this API key. Sign out and sign in again with a valid key.', err);
    case 'rate_limited': {
      const wait = err.retryAfterSeconds ? `in ${err.retryAfterSeconds} seconds` : 'in a minute';
      return withRequestId(`Grantex is receiving too many requests. Try again ${wait}.`, err);
    }
    case 'network': {
      const { production, url } = service();
      return production
        ? 'Grantex could not be reached. Try again in a moment; if it keeps happening, tell your console administrator.'
        : `Grantex could not be reached at ${url}. Check that the service is running and GRANTEX_URL is correct, then try again.`;
    }
    case 'timeout':
      return withRequestId('Grantex did not answer in time. Try again in a moment.', err);
    case 'server':
      return withRequestId('Grantex had an internal problem. Try again in a moment; if it persists, contact Grantex support with the request ID.', err);
    case 'invalid_response': {
      const { production, url } = service();
      return production
        ? withRequestId('Grantex sent an answer the console does not understand. Try again later.', err)
        : withRequestId(`The service at ${url} did not answer like Grantex. Check GRANTEX_URL.`, err);
    }
    case 'validation':
    case 'conflict':
    case 'not_found':
    case 'sso':
      // These carry the server's own user-facing message (contract: safe to show).
      return withRequestId(ensureSentence(err.message), err);
  }
}

// ─── Admin sign-in (/signin) ─────────────────────────────────────────────────────────────────────

/** The sign-in page's own failures (the browser side of the form, the demo-organization panel). */
export const SIGNIN_FORM_ERRORS = {
  key_required: 'Enter your Grantex API key.',
  no_answer: 'The console did not answer. Reload the page and try again.',
  unreachable: 'The console server could not be reached. Check your connection and try again.',
  demo_signup_off: 'Demo organizations are turned off on this console.',
} as const;

/** next-auth's failure codes. Our own `authorize` throws user-facing sentences, shown as they are. */
export const SIGNIN_ERRORS = {
  CredentialsSignin: 'Grantex did not accept this API key. Check that you pasted the whole key.',
  Configuration: 'The console is not configured correctly (see the server log). Try again after it is fixed.',
  AccessDenied: 'This API key may not sign in to the console.',
  SessionRequired: 'Sign in to continue.',
  Default: 'Sign-in failed. Try again.',
} as const;

function signinError(code: string): string | undefined {
  return Object.hasOwn(SIGNIN_ERRORS, code) ? SIGNIN_ERRORS[code as keyof typeof SIGNIN_ERRORS] : undefined;
}

/** For the result of `signIn(…, { redirect: false })`: a next-auth code, or our own sentence. */
export function messageForSigninResult(error: string): string {
  return signinError(error) ?? error;
}

/** For a `?error=` query parameter (untrusted): only ever looked up, never shown as it came. */
export function messageForErrorQuery(error: string | undefined): string | undefined {
  if (!error) return undefined;
  return signinError(error) ?? SIGNIN_ERRORS.Default;
}

// ─── SSO settings form ───────────────────────────────────────────────────────────────────────────

export const SETTINGS_ERRORS = {
  issuer_not_verified: 'The issuer could not be verified. Nothing was saved.',
  config_rejected: 'Grantex rejected the configuration. Nothing was saved.',
  /** Shown beside the "save without checking" checkbox: an explanation, not an error. */
  skip_check_offer: 'If your identity provider is only reachable from Grantex’s network, you can save without this check.',
} as const;

/** A field's reason from Grantex ("must use https") next to its field: "Issuer URL must use https". */
export function fieldErrorText(field: SsoConfigField, reason: string): string {
  return `${SSO_FIELD_LABELS[field]} ${reason}`;
}

/** Grantex's per-field reasons (GrantexError.fieldErrors), worded for the form's fields. */
export function fieldErrorsText(reasons: Partial<Record<SsoConfigField, string>>): Partial<Record<SsoConfigField, string>> {
  const out: Partial<Record<SsoConfigField, string>> = {};
  for (const field of Object.keys(SSO_FIELD_LABELS) as SsoConfigField[]) {
    const reason = reasons[field];
    if (reason) out[field] = fieldErrorText(field, reason);
  }
  return out;
}

/** The note under the issuer field when a pasted discovery document address was trimmed. */
export function discoveryUrlTrimmedNote(issuer: string): string {
  return `You entered the discovery document’s address, so it was trimmed to the issuer: “${displayText(issuer, 300)}” (without /.well-known/openid-configuration).`;
}

/** One sentence per way an issuer's discovery can fail (the settings form's issuer check). */
const ISSUER_CHECK_ERRORS: Record<DiscoveryFailureReason, (failure: DiscoveryFailure) => string> = {
  unreachable: () =>
    'Could not reach the issuer’s discovery document (/.well-known/openid-configuration). Check the URL, and that the identity provider is reachable from this console.',
  timeout: () => 'The issuer did not answer in time. Check the URL, or try again in a moment.',
  http_status: (f) =>
    `The issuer's discovery document answered with HTTP ${displayText(f.actual ?? 'an error', 20)} instead of 200. Check the URL.`,
  redirect: () =>
    'The discovery URL redirects somewhere else. Enter the issuer exactly as your identity provider publishes it (redirects are not followed).',
  not_json: () => 'The issuer answered, but its discovery document is not JSON. Is this the issuer URL and not a login page?',
  too_large: () => 'The issuer’s discovery document is too large to be a real OpenID Connect configuration.',
  invalid_metadata: () => 'The issuer’s discovery document is not valid OpenID Connect metadata.',
  issuer_mismatch: (f) => {
    // lib/net reports `expected` = what the IdP's document declares, `actual` = what was entered.
    const declared = displayText(f.expected ?? '', 300);
    const entered = displayText(f.actual ?? '', 300);
    if (f.suggestedIssuer) {
      return `The identity provider’s issuer is “${declared}”, but you entered “${entered}”: they differ only by a trailing slash or letter case, and must match exactly.`;
    }
    return `The identity provider says its issuer is “${declared}”, but you entered “${entered}”. They must match exactly, including any trailing slash: use “${declared}”.`;
  },
  // `expected` is the tenant-specific shape, e.g. https://login.microsoftonline.com/<your tenant ID>/v2.0.
  tenant_placeholder: (f) =>
    `This is Microsoft Entra ID’s multi-tenant address (common, organizations or consumers), which has no single issuer. Use your tenant’s own issuer: ${displayText(f.expected ?? 'https://login.microsoftonline.com/<your tenant ID>/v2.0', 300)} — the tenant ID is on the Overview page of the Microsoft Entra admin center.`,
  discovery_url_as_issuer: (f) =>
    `That is the address of the discovery document, not the issuer. Enter the issuer without /.well-known/openid-configuration: “${displayText(f.expected ?? '', 300)}”.`,
  missing_endpoints: () => 'The issuer’s discovery document lacks an authorization endpoint, token endpoint or JWKS URI.',
  blocked_address: () => 'The issuer resolves to a private, loopback or metadata address, which this console does not contact.',
};

export function describeDiscoveryFailure(failure: DiscoveryFailure): string {
  const describe = Object.hasOwn(ISSUER_CHECK_ERRORS, failure.reason)
    ? ISSUER_CHECK_ERRORS[failure.reason as DiscoveryFailureReason]
    : undefined;
  return describe ? describe(failure) : 'The issuer could not be checked.';
}

// ─── Member sign-in by email, the connection chooser, verified domains (issue 10) ───────────────

/** The /login email form's problems; the keys may travel in `/login?error=`. Never names another org's domain. */
export const MEMBER_EMAIL_ERRORS = {
  email_invalid: 'Enter your work email address, e.g. name@company.com',
  email_unknown:
    'Sign-in by email is not set up for this email address’s domain. Check the address, or ask your administrator for your organization’s sign-in link.',
} as const;
export type MemberEmailError = keyof typeof MEMBER_EMAIL_ERRORS;

export const MEMBER_CHOOSER_TEXT = {
  heading: 'Choose how to sign in',
  intro: 'Your organization has more than one identity provider. Pick the one your account belongs to.',
} as const;

/** The domains section of a connection's page. */
export const DOMAIN_ERRORS = {
  domain_invalid: 'Enter a domain such as example.com (without “@” or “https://”)',
  domain_listed_elsewhere: 'Another connection of this organization already lists this domain. Remove it there first.',
  domain_not_found: 'This domain is no longer registered. Reload the page.',
  connection_gone: 'This connection no longer exists. Reload the page.',
  not_signed_in: 'Your session has ended. Sign in again.',
} as const;
