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
import { OIDC_FIELD_LABELS, type OidcConnectionField } from '@/lib/validations/oidc-connection-fields';
import type { TestStage } from './member-login/test-stages';
import type { DiscoveryFailure, DiscoveryFailureReason } from './settings/discovery-failure';
import type { GrantexErrorKind } from '@/lib/grantex/errors';
import { isSignInReason, type SignInReason } from '@/lib/contract/sign-in-reasons';
import type { WebhookFormat } from '@/lib/contract/webhooks';
import type { ConsoleRole } from '@/lib/auth/roles';

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
  wrong_callback: {
    title: 'This sign-in came back to another connection’s address',
    next: 'The identity provider that answered is not the one this sign-in was started with, so it was stopped before anything was exchanged. Nobody was signed in. If you did not expect to sign in to this organization, close this page; otherwise start over, and tell your administrator if it happens again.',
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
  directory_inactive: {
    title: 'Your account is deactivated',
    next: 'Your organization’s directory has deactivated or removed your account, so you cannot sign in to this app. If you think this is a mistake, ask your IT administrator to reactivate it.',
  },
  not_in_directory: {
    title: 'Your account is not set up for this app',
    next: 'This organization lets only people its directory provisioned sign in. Ask your IT administrator to assign you the app.',
  },
  idp_timeout: {
    title: 'Your identity provider did not answer in time',
    next: 'Your identity provider took too long to finish the sign-in, so it was stopped; nobody was signed in. Start over in a moment; if it keeps happening, tell your administrator.',
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
  wrong_callback:
    'The identity provider sent the browser back to another connection’s redirect URI than the one this sign-in was started with, so nothing was exchanged. Check the redirect URI registered at your identity provider.',
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

/** What `describeGrantexError` (lib/console/grantex-errors.ts) needs of a GrantexError. */
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
      return withRequestId(
        'Grantex had an internal problem. Try again in a moment; if it persists, contact Grantex support with the request ID.',
        err,
      );
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

/** The admin sign-in form (and setup link, demo organization) when this address tried too often. */
export function signinRateText(seconds: number): string {
  return `Too many sign-in attempts; try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
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
  skip_check_offer:
    'If your identity provider is only reachable from Grantex’s network, you can save without this check.',
} as const;

/** A field's reason from Grantex ("must use https") next to its field: "Issuer URL must use https". */
export function fieldErrorText(field: OidcConnectionField, reason: string): string {
  return `${OIDC_FIELD_LABELS[field]} ${reason}`;
}

/** Grantex's per-field reasons (GrantexError.fieldErrors), worded for the form's fields. */
export function fieldErrorsText(
  reasons: Partial<Record<OidcConnectionField, string>>,
): Partial<Record<OidcConnectionField, string>> {
  const out: Partial<Record<OidcConnectionField, string>> = {};
  for (const field of Object.keys(OIDC_FIELD_LABELS) as OidcConnectionField[]) {
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
  not_json: () =>
    'The issuer answered, but its discovery document is not JSON. Is this the issuer URL and not a login page?',
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
  missing_endpoints: () =>
    'The issuer’s discovery document lacks an authorization endpoint, token endpoint or JWKS URI.',
  blocked_address: () =>
    'The issuer resolves to a private, loopback or metadata address, which this console does not contact.',
};

export function describeDiscoveryFailure(failure: DiscoveryFailure): string {
  const describe = Object.hasOwn(ISSUER_CHECK_ERRORS, failure.reason)
    ? ISSUER_CHECK_ERRORS[failure.reason as DiscoveryFailureReason]
    : undefined;
  return describe ? describe(failure) : 'The issuer could not be checked.';
}

// ─── SSO connections (/settings/sso, /settings/sso/new, /settings/sso/[connectionId]) ────────────

/** What each status means, one line each (the status control and the list's legend). */
export const CONNECTION_STATUS_TEXT = {
  active: { label: 'Active', explanation: 'Members can sign in with it; test sign-ins work too.' },
  testing: { label: 'Testing', explanation: 'Only test sign-ins by admins; members cannot use it yet.' },
  inactive: { label: 'Inactive', explanation: 'Nobody can sign in with it; the settings are kept.' },
} as const;

export const CONNECTION_TEXT = {
  saved: 'Connection saved',
  deleted: 'Connection deleted',
  statusChanged: (label: string) => `Status set to ${label}`,
  neverSignedIn: 'never',
  /** The hint under the status choice on "new", saying why the default is what it is. */
  statusHintFirst: 'Your first connection starts as Active so members can use it as soon as the test sign-in works.',
  statusHintLater:
    'Starts as Testing so members keep signing in through your current connections until you have tried this one; set it to Active afterwards.',
  secretKeepHint: 'Leave it blank to keep the saved secret. Changing the issuer needs it entered again.',
  defaultDeleteWarning:
    'This is the default connection: member sign-in links with ?org= stop working until another connection is created as the default.',
  /** The redirect URI field (read-only): every connection has its own address at the console. */
  redirectUriHint:
    'This connection’s own address at the console. Register it exactly as shown at your identity provider: sign-ins that come back anywhere else are refused.',
  copyOwnRedirectUri: 'Copy this connection’s redirect URI',
  redirectUriNotOwn:
    'Redirect URI must be the address this page gave the new connection; reload the page and try again.',
  /** A connection still registered at the shared `/sso/callback` (it should move to its own address). */
  sharedRedirectTitle: 'This connection uses the shared redirect URI',
  sharedRedirectBody: (shared: string, own: string) =>
    `It is registered at ${shared}, the address every connection once shared, so a sign-in bounced through another organization’s identity provider could come back to it. Add ${own} at your identity provider, then move.`,
  moveButton: 'Move to this connection’s own redirect URI',
  moved:
    'This connection now uses its own redirect URI. You can remove the shared one at your identity provider once no other connection of yours uses it.',
  moveFailed: 'The connection could not be moved to its own redirect URI. Try again in a moment.',
  moveNotNeeded: 'This connection already uses its own redirect URI.',
} as const;

/** Whether a member's email is verified (member page, sessions list, test sign-in result). */
export const EMAIL_TRUST_TEXT = {
  term: 'Email verified',
  yes: 'Yes',
  no: 'No (not verified): neither the identity provider nor one of your verified domains vouches for it, so do not link accounts by it',
  notVerified: '(not verified)',
  notVerifiedTitle:
    'The identity provider did not confirm this email (or, for SAML, its domain is not one you verified): do not link accounts by it.',
} as const;

/**
 * Shown before a save that points a connection at another identity provider (a new issuer, or a new SAML entity
 * ID): principals are keyed by the IdP, so its members start over. See docs/EMAIL-TRUST.md.
 */
export const NEW_IDP_TEXT = {
  warning:
    'Changing the identity provider starts a new set of members: people who signed in before will be new members (new member IDs) when they sign in through the new provider, and with just-in-time provisioning off they cannot sign in at all until you turn it on.',
  confirmLabel: 'I understand: save with the new identity provider',
  confirmRequired: 'Tick the box to confirm the new identity provider, then save again.',
  samlMetadataNote:
    'New metadata that names another entity ID is another identity provider: its members start over, as they do when you change the entity ID.',
  savedNewIdp: 'Connection saved with the new identity provider: members start over from their next sign-in',
  /** The audit trail's note on a save that moved a connection to another IdP. */
  auditNote: 'new identity provider: members start over',
} as const;

export const CONNECTION_ERRORS = {
  not_found: 'This connection no longer exists (it may have been deleted in another tab). Go back to the list.',
  delete_admin_only: 'Only the organization’s owner can delete a connection. Ask them, or set its status to Inactive.',
} as const;

// ---------------------------------------------------------------- SSO sessions page

/** Outcomes of a revoke on /settings/sso/sessions, keyed by the `?revoke=` codes the page reads back. */
export const SESSIONS_MESSAGES = {
  revoked: 'Session revoked. The member has to sign in again.',
  not_found: 'That session had already ended (revoked or expired), so there was nothing to revoke.',
  failed: 'The session could not be revoked because Grantex did not answer as expected. Try again in a moment.',
  role_required:
    'Revoking a session needs the admin role or higher; you are signed in as a viewer. Ask an owner of your organization to map your IdP group to that role.',
  load_failed: 'The active sessions could not be loaded',
} as const;
export type SessionsOutcome = Exclude<keyof typeof SESSIONS_MESSAGES, 'load_failed'>;

// ─── Member session re-check (/member) ──────────────────────────────────────────────────────────────────

export const MEMBER_SESSION_TEXT = {
  unavailable: {
    title: 'We could not confirm your session',
    next: 'The sign-in service did not answer, so your session cannot be shown right now. You are still signed in; try again in a moment.',
  },
} as const;

// ─── Logout (/member/signed-out, the connection page's logout URLs) ─────────────────────────────────────

export const LOGOUT_TEXT = {
  signedOut: {
    title: 'You are signed out',
    next: 'Your single sign-on session has ended. Close the browser if you are on a shared computer.',
  },
  /** `slo=ok`: the identity provider confirmed the logout (a checked SAML LogoutResponse). */
  idpConfirmed: 'Your identity provider confirmed that you are signed out there too.',
  /** `slo=failed`: its answer could not be verified. */
  idpUnconfirmed:
    'You are signed out here, but your identity provider’s answer could not be verified, so you may still be signed in there. Sign out at your identity provider too.',
  sloUrlLabel: 'Single logout URL',
  sloUrlHint:
    'Give your identity provider this SingleLogoutService URL (it is also in the SP metadata). Logout messages to and from the identity provider are signed with this connection’s signing key.',
  idpSloUrlLabel: 'IdP single logout URL',
  idpSloUrlHint:
    'The identity provider’s SingleLogoutService (HTTP-Redirect) from its metadata. With it, signing out here also signs the member out at the identity provider. Leave empty to end sessions here only.',
  idpSloUrlInvalid: 'Enter the identity provider’s single logout URL (https://…), or leave it empty.',
  idpSloUrlSaved:
    'Single logout URL saved. Give your identity provider the updated SP metadata (it now lists the signing certificate).',
  title: 'Logout',
  samlDescription:
    'Single logout: signing out here ends the member’s session at the identity provider too, and the identity provider can end sessions here.',
  oidcDescription:
    'Signing out here also signs the member out at the identity provider when it publishes an end-session endpoint; with back-channel logout, signing out there ends sessions here.',
  backchannelLabel: 'Back-channel logout URI',
  backchannelHint:
    'Register this URI at your identity provider as the back-channel logout URI: when a member signs out there, their sessions here end too. Also register this console’s post-logout redirect URI:',
} as const;

// ─── Setup links (the customer's IT admin; /setup/…, /settings/sso/setup-links) ─────────────────────────

export const SETUP_LINK_TEXT = {
  /** What a setup link allows, on the landing page and in the admin's create form. */
  allows:
    'configure and test this organization’s single sign-on connections and their email domains, and connect its directory (SCIM)',
  denies:
    'It does not show the organization’s API keys, its other settings, its members’ sessions, or any other organization.',
  invalid: {
    title: 'This setup link cannot be used',
    next: 'It may have expired, been revoked, or been copied incompletely. Ask the administrator who sent it for a new link.',
  },
  ended: {
    title: 'Your setup link has ended',
    next: 'It expired or was revoked by the organization’s administrator, or your session with it reached its 8-hour limit, so you can no longer change its SSO settings here. Open the link again if it is still valid, or ask the administrator for a new one.',
  },
  restricted: {
    title: 'Not available with a setup link',
    next: 'Your setup link lets you configure and test this organization’s SSO connections only, and connect its directory. API keys, other settings and members’ sessions stay with the organization’s administrators.',
  },
  not_allowed:
    'A setup link does not allow this: it configures and tests the connections only. Ask the organization’s owner.',
  name_required: 'Enter your name, so the administrator can see who used the link.',
  email_invalid: 'Enter your work email address (for example it-admin@example.com).',
  testSignInWithAdmin:
    'Save the configuration, then ask the organization’s administrator to run the test sign-in (it signs in through this console as them).',
  createdWarning:
    'Copy this link now: it is shown only once. Anyone who has it can change this organization’s SSO connections until it expires or you revoke it, so send it only to the person setting up SSO.',
  revoked: 'Setup link revoked. Anyone using it is refused at their next step.',
  label_too_long: 'Keep the label to 100 characters or fewer.',
  expiry_invalid: 'Choose one of the offered expiry times.',
} as const;

// ─── SAML connections ────────────────────────────────────────────────────────────────────────────

/** The SAML connection form, page and ACS (console side). */
/** The IdP metadata refresh on a SAML connection's page (the API's result, warning and error codes worded here). */
export const METADATA_REFRESH_TEXT = {
  description:
    'Grantex fetches the identity provider’s metadata from its URL twice a day and adds a new signing certificate as soon as it is published, so a certificate rollover needs no action. An old certificate is removed only once the metadata no longer lists it and a newer one is present.',
  never: 'Not refreshed yet',
  refreshNow: 'Refresh now',
  results: {
    updated: 'Updated',
    unchanged: 'No changes',
    failed: 'Failed',
  } as Record<string, string>,
  outcome: {
    updated: 'The metadata was read and the connection updated. The change is in the audit trail.',
    unchanged: 'The metadata was read; nothing needed to change.',
    failed: 'The metadata could not be read. The connection keeps its certificates.',
  } as Record<string, string>,
  /** The last refresh failed: by the API's error code (certificates are always kept). */
  errors: {
    metadata_fetch_failed:
      'The last refresh could not fetch the metadata URL. The connection keeps its certificates; check that the URL still answers.',
    invalid_metadata:
      'The last refresh found no usable SAML metadata at the URL (no HTTP-Redirect SSO URL or signing certificate). The connection keeps its certificates.',
    metadata_too_large:
      'The last refresh found metadata larger than Grantex accepts. The connection keeps its certificates.',
  } as Record<string, string>,
  errorOther: 'The last refresh failed. The connection keeps its certificates.',
  /** What the last refresh found but did not apply, by the API's warning code. */
  warnings: {
    entity_id_changed:
      'The metadata now names a different entity ID, so nothing from it was applied: a new entity ID means a new identity provider (and new members). If this is expected, save the connection from its metadata URL again.',
    sso_url_refused:
      'The metadata names an SSO URL that Grantex does not accept (it must use https://), so the current one was kept.',
    certificates_over_limit:
      'The metadata lists more signing certificates than a connection keeps (two). The certificate in use was kept; the next one is added once the identity provider drops an old one.',
    no_valid_certificate:
      'The metadata lists no signing certificate that is still valid, so the certificates were left as they are.',
  } as Record<string, string>,
  warningOther: 'The last refresh found something it did not apply.',
  noMetadataUrl: 'This connection was not set up from a metadata URL, so there is nothing to refresh.',
} as const;

export const SAML_TEXT = {
  oidcFormOnly: 'This is a SAML connection: change it with the SAML form on its page.',
  samlFormOnly: 'This is an OpenID Connect connection: change it with its own form.',
  sourceRequired: 'Choose how to give the identity provider’s details.',
  metadataUrlRequired: 'Enter the identity provider’s SAML metadata URL (https://…).',
  metadataUrlInvalid: 'Enter a full URL starting with https:// (http:// only on this machine in development).',
  metadataXmlRequired: 'Paste the identity provider’s SAML metadata XML (it starts with <EntityDescriptor or <?xml).',
  metadataXmlInvalid: 'This does not look like SAML metadata: paste the XML document itself (it starts with “<”).',
  entityIdRequired: 'Enter the identity provider’s entity ID (often a URL; see its metadata’s entityID).',
  ssoUrlRequired: 'Enter the identity provider’s single sign-on URL for the HTTP-Redirect binding (https://…).',
  certificateRequired: 'Paste the identity provider’s signing certificate (PEM, -----BEGIN CERTIFICATE-----).',
  certificateInvalid:
    'Paste the certificate as PEM (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----) or its base64 body; a chain with its CA certificates is fine.',
  certificateNeverShown: 'For your safety the certificate is never sent back to your browser: paste it again.',
  /** Grantex's `certificate_missing` field code. */
  certificateMissing:
    'No signing certificate found: paste the identity provider’s signing certificate (PEM), not a key or only the CA certificates.',
  /** Grantex's `certificate_ambiguous` field code. */
  certificateAmbiguous:
    'This holds more than one signing certificate, none issued by another. Paste only the certificate the identity provider signs with (a chain with its CA certificates is fine).',
  rejected: 'Grantex did not accept these SAML settings. See the fields below.',
  saved: 'SAML connection saved',
  created:
    'SAML connection created. Give your identity provider the service provider details below, then run a test sign-in.',
  certificateAdded: 'Certificate added. Both certificates verify sign-ins until you remove the old one.',
  certificateRemoved: 'Certificate removed. Sign-ins signed with it are refused from now on.',
  acsFixed: 'The ACS URL now points at this console. Update it at your identity provider too.',
  idpInitiatedWarning:
    'IdP-initiated sign-in lets members start from the app tile in their identity provider. It gives up the protection against login CSRF (an attacker could sign a victim’s browser into the attacker’s account) because no sign-in was started here to bind the response to. When on, only fresh assertions are accepted, each once, and members always land on the member page. Leave it off unless your members need the tile.',
  certificateExpiring: (date: string) =>
    `An IdP certificate expires on ${date}. Add the identity provider’s new certificate now; both verify until you remove the old one.`,
  certificateExpired: (date: string) =>
    `An IdP certificate expired on ${date}. Grantex refuses sign-ins signed with it: add the identity provider’s current certificate and remove the expired one.`,
  allCertificatesExpired:
    'Every IdP certificate has expired: sign-ins through this connection are refused. Add the identity provider’s current signing certificate.',
  acsElsewhere:
    'This connection’s ACS URL points at the Grantex API, not at this console, so members would not come back here after signing in. Use the console’s ACS URL and set it at your identity provider too.',
  responseTooLarge: 'The identity provider’s SAML response is larger than this console accepts.',
  responseMissing: 'The identity provider posted no SAMLResponse. Start the sign-in again.',
  unsolicitedNoConnection:
    'This SAML response answers no sign-in started here, and the address it was posted to names no connection. Start the sign-in from the console’s sign-in page.',
} as const;

/** A SAML connection's own SP keys (signing, encryption) on its page, and the answers of their actions by code. */
export const SP_KEY_TEXT = {
  title: 'Service provider keys',
  description:
    'Keys this connection signs with (AuthnRequests) and, when you add one, decrypts with (encrypted assertions). Their certificates are in the SP metadata; the private keys never leave Grantex.',
  signAuthnRequests: 'Sign AuthnRequests',
  signAuthnRequestsHint:
    'Signs each request to the identity provider (RSA-SHA256) with the current signing key; turning it on makes one if there is none. Give the identity provider the updated metadata.',
  signOn: 'AuthnRequests are now signed. Give your identity provider the updated SP metadata.',
  signOff: 'AuthnRequests are no longer signed.',
  none: 'No keys yet.',
  rotated:
    'New key made and published in the SP metadata beside the current one. Once your identity provider has the new metadata, promote it.',
  first: 'Key made and published in the SP metadata. Give your identity provider the updated metadata.',
  promoted:
    'The new key is now current. The old one stays until you retire it (an old encryption key still decrypts until then).',
  retired: 'Key removed.',
  states: {
    current: 'Current',
    next: 'Next (published, not used yet)',
    previous: 'Previous',
  },
  uses: { signing: 'Signing', encryption: 'Encryption' },
  encryptionHint:
    'With an encryption key, the identity provider may encrypt assertions to it (AES-GCM or AES-CBC, RSA-OAEP); both keys decrypt during a rotation.',
  /** Grantex's reason codes for a refused change. */
  codes: {
    sp_key_rotation_pending: 'A new key is already waiting: promote it (or remove it) before making another one.',
    sp_key_nothing_to_promote: 'There is no new key to promote: rotate first.',
    sp_key_in_use:
      'This key is in use: turn off signed AuthnRequests before removing the only signing key, or promote the new key first.',
  } as Record<string, string>,
  failed: 'Grantex did not make this change. Reload the page and try again.',
} as const;

const CHECK_SAML_APP =
  'Compare the IdP entity ID, SSO URL and certificate on the connection’s page with the SAML application at your identity provider.';

/** The sign-in log's SAML reasons (`saml_` + the service provider's refusal) in plain words. */
const SAML_SIGN_IN_REASON_TEXT = {
  saml_response_too_large: {
    title: 'The SAML response was too large',
    next: 'Check the identity provider: a SAML response is a few kilobytes. Remove unneeded attributes from the application.',
  },
  saml_malformed_response: {
    title: 'The SAML response could not be read',
    next: 'Start the sign-in again; if it repeats, check that the identity provider posts a standard SAMLResponse.',
  },
  saml_doctype_refused: {
    title: 'The SAML response contained a DOCTYPE',
    next: 'Such responses are refused as an XML attack. If your identity provider really sends one, contact its vendor.',
  },
  saml_weak_algorithm: {
    title: 'The SAML response is signed with SHA-1',
    next: 'Configure the identity provider to sign with RSA-SHA256 (SHA-1 is refused).',
  },
  saml_encrypted_assertion_unsupported: {
    title: 'The SAML assertion is encrypted, and this connection has no encryption key',
    next: 'Add an encryption key under “Service provider keys” on the connection’s page and give the identity provider the updated SP metadata, or turn off assertion encryption at the identity provider.',
  },
  saml_decryption_failed: {
    title: 'The encrypted SAML assertion could not be decrypted and verified',
    next: 'Check that the identity provider encrypts to a certificate from the current SP metadata (after a key rotation it must re-read the metadata) and signs the assertion or the response.',
  },
  saml_weak_encryption: {
    title: 'The SAML assertion is encrypted with a broken algorithm',
    next: 'Configure the identity provider to use RSA-OAEP key transport and AES-GCM (RSA PKCS#1 v1.5 and 3DES are refused).',
  },
  saml_unsupported_encryption: {
    title: 'The SAML assertion is encrypted in a way that is not supported',
    next: 'Configure the identity provider to use AES-GCM (or AES-CBC) with RSA-OAEP key transport.',
  },
  saml_cbc_unsigned_response: {
    title: 'The SAML assertion is AES-CBC-encrypted in an unsigned response',
    next: 'Configure the identity provider to use AES-GCM, or to sign the whole response (then AES-CBC is accepted).',
  },
  saml_invalid_signature: {
    title: 'The SAML response is not signed by the configured certificate',
    next: 'Add the identity provider’s current signing certificate on the connection’s page (it may have rotated).',
  },
  saml_unsigned_assertion: {
    title: 'The SAML response is not signed',
    next: 'Configure the identity provider to sign the response or the assertion (either is accepted; both is fine).',
  },
  saml_wrong_issuer: { title: 'The SAML assertion came from a different IdP entity ID', next: CHECK_SAML_APP },
  saml_wrong_audience: {
    title: 'The SAML assertion is for a different service provider',
    next: 'Set the application’s Audience / SP entity ID at the identity provider to the SP entity ID shown on the connection’s page.',
  },
  saml_wrong_recipient: {
    title: 'The SAML assertion names a different ACS URL',
    next: 'Set the application’s ACS (reply) URL at the identity provider to the ACS URL shown on the connection’s page.',
  },
  saml_wrong_destination: {
    title: 'The SAML response names a different ACS URL',
    next: 'Set the application’s ACS (reply) URL at the identity provider to the ACS URL shown on the connection’s page.',
  },
  saml_not_yet_valid: {
    title: 'The SAML assertion was not valid yet',
    next: 'The identity provider’s clock is ahead of ours; ask its administrator to sync it (NTP).',
  },
  saml_expired: {
    title: 'The SAML assertion had already expired',
    next: 'Sign in again; if it repeats, check the identity provider’s clock.',
  },
  saml_in_response_to_mismatch: {
    title: 'The SAML response answers a different sign-in',
    next: 'Start the sign-in again from the beginning.',
  },
  saml_in_response_to_missing: {
    title: 'The SAML response answers no sign-in request',
    next: 'Start the sign-in from this console (IdP-initiated sign-in is off for this connection).',
  },
  saml_assertion_replayed: {
    title: 'The SAML assertion was used twice',
    next: 'Someone (or a browser retry) sent the same assertion again; it was refused. Start a new sign-in.',
  },
  saml_idp_status_error: {
    title: 'The identity provider refused the sign-in',
    next: 'Often the user is not assigned to the SAML application at the identity provider, or cancelled.',
  },
  saml_missing_subject: {
    title: 'The SAML assertion has no subject',
    next: 'Configure the identity provider to send a NameID for this application.',
  },
  saml_certificate_expired: {
    title: 'The IdP certificate has expired',
    next: 'Every configured certificate has expired: add the identity provider’s current signing certificate on the connection’s page.',
  },
  saml_invalid_metadata: {
    title: 'The IdP metadata could not be read',
    next: 'Use the identity provider’s SAML metadata (one EntityDescriptor with an IDPSSODescriptor).',
  },
  saml_metadata_too_large: {
    title: 'The IdP metadata is too large',
    next: 'Use the metadata of this one application, not a federation’s aggregate.',
  },
  saml_metadata_fetch_failed: {
    title: 'The IdP metadata URL could not be fetched',
    next: 'Check the URL and that it is reachable from Grantex, or paste the metadata XML instead.',
  },
  saml_invalid_certificate: {
    title: 'The IdP certificate is not valid',
    next: 'Paste the certificate as PEM (-----BEGIN CERTIFICATE-----).',
  },
  saml_certificate_missing: {
    title: 'No IdP signing certificate was given',
    next: 'Paste the identity provider’s signing certificate as PEM (a chain with its CA certificates is fine).',
  },
  saml_certificate_ambiguous: {
    title: 'The pasted certificates hold more than one signing certificate',
    next: 'Paste only the certificate the identity provider signs with.',
  },
  saml_invalid_settings: { title: 'The SAML settings are incomplete', next: CHECK_SAML_APP },
  saml_idp_initiated_disabled: {
    title: 'IdP-initiated sign-in is not allowed on this connection',
    next: 'Start the sign-in from the console’s sign-in page, or allow IdP-initiated sign-in on the connection (read its warning first).',
  },
  saml_unsolicited_too_old: {
    title: 'The IdP-initiated assertion was too old',
    next: 'Start again from the identity provider’s app tile; if it repeats, check its clock.',
  },
  saml_transient_subject: {
    title: 'The SAML assertion names the member only by a transient NameID',
    next: 'A transient NameID changes at every sign-in, so it cannot identify a member. At the identity provider, send a persistent NameID, or release subject-id, pairwise-id, eduPersonUniqueId or eduPersonPrincipalName to this application.',
  },
  saml_idp_session_ended: {
    title: 'The identity provider’s session had already ended',
    next: 'The assertion’s SessionNotOnOrAfter was in the past. Sign in again; if it repeats, check the identity provider’s clock and session policy.',
  },
} satisfies Record<Extract<SignInReason, `saml_${string}`>, Problem>;

// ─── Sign-in log: reasons in plain words ────────────────────────────────────────────────────────

const CHECK_IDP_APP =
  'Compare the client ID, secret and issuer in the SSO settings with the application at your identity provider.';
const RETRY = 'Start the sign-in again; if it keeps happening, check the identity provider’s status.';

/** Every reason code of the sign-in log, as a heading and what to do next. */
export const SIGN_IN_REASON_TEXT: Record<SignInReason, Problem> = {
  connection_not_found: {
    title: 'No SSO connection for this organization',
    next: 'Create or re-enable the connection in the SSO settings.',
  },
  connection_inactive: {
    title: 'The connection is switched off',
    next: 'Set the connection to active to take member sign-ins.',
  },
  connection_testing: {
    title: 'The connection is being tested',
    next: 'Only test sign-ins work while it is in Testing; set it to Active when the test sign-in succeeds.',
  },
  forbidden: {
    title: 'This credential may not do that',
    next: 'Setup links configure and test connections only; ask the organization’s admin for the rest.',
  },
  redirect_uri_mismatch: {
    title: 'The sign-in came back to another connection’s redirect URI',
    next: 'Nothing was signed in and no identity provider was asked. If the IdP app is set up with this connection’s own redirect URI (shown on its page), this was a sign-in started at another organization’s login and bounced to your IdP: an attack that failed.',
  },
  discovery_failed: {
    title: 'The identity provider’s configuration could not be loaded',
    next: 'Check the issuer URL and that the identity provider is reachable.',
  },
  discovery_issuer_mismatch: {
    title: 'The identity provider names a different issuer',
    next: 'Enter the issuer exactly as its discovery document declares it, including any trailing slash.',
  },
  discovery_blocked_address: {
    title: 'The identity provider is on a blocked address',
    next: 'Use the identity provider’s public address; private, loopback and metadata addresses are not contacted.',
  },
  idp_error: {
    title: 'The identity provider refused the sign-in',
    next: 'Read the identity provider’s error below; often the user is not assigned to the application.',
  },
  idp_deadline_exceeded: {
    title: 'The identity provider did not answer in time',
    next: 'Its steps together (discovery, token, signing keys, userinfo) took longer than the sign-in deadline (SSO_SIGNIN_DEADLINE_MS, 10 seconds by default). The stage and the trace show which step was slow; check the identity provider’s status and latency.',
  },
  idp_iss_mismatch: {
    title: 'The response came from a different identity provider',
    next: 'Start the sign-in again; if it repeats, check that the issuer URL in the settings is the one your users sign in at.',
  },
  state_missing: { title: 'The sign-in response was incomplete', next: 'Start the sign-in again from the beginning.' },
  state_invalid: {
    title: 'The sign-in response could not be verified',
    next: 'Start the sign-in again from the beginning.',
  },
  state_expired: { title: 'The sign-in took too long', next: 'Sign-ins must finish within 10 minutes. Start again.' },
  state_replayed: {
    title: 'The sign-in response was used twice',
    next: 'Someone (or a browser retry) sent the same response again; it was refused. Start a new sign-in.',
  },
  callback_connection_gone: {
    title: 'The connection was removed or switched off during the sign-in',
    next: 'Re-enable the connection, then start the sign-in again.',
  },
  token_unreachable: { title: 'The identity provider’s token endpoint could not be reached', next: RETRY },
  token_timeout: { title: 'The identity provider’s token endpoint did not answer in time', next: RETRY },
  token_too_large: {
    title: 'The identity provider’s token answer was too large',
    next: 'Check the identity provider; a token response is a few kilobytes.',
  },
  token_blocked_address: {
    title: 'The token endpoint is on a blocked address',
    next: 'The identity provider’s discovery document points at a private or loopback address; fix its configuration.',
  },
  token_http_error: { title: 'The identity provider’s token endpoint failed', next: RETRY },
  token_oauth_error: {
    title: 'The identity provider refused to exchange the code',
    next: 'The code was refused (often invalid_grant: expired or already used). Start the sign-in again; check the redirect URI if it repeats.',
  },
  token_client_auth_rejected: { title: 'The identity provider rejected the client credentials', next: CHECK_IDP_APP },
  token_not_json: {
    title: 'The token endpoint did not answer with JSON',
    next: 'Check the identity provider’s token endpoint; it may be answering with an error page.',
  },
  token_invalid_response: {
    title: 'The token endpoint gave an invalid answer',
    next: 'Check the identity provider’s configuration.',
  },
  token_no_id_token: {
    title: 'The identity provider returned no ID token',
    next: 'Make sure the application at your identity provider is an OpenID Connect app with the openid scope.',
  },
  jwks_unavailable: { title: 'The identity provider’s signing keys could not be loaded', next: RETRY },
  jwks_timeout: { title: 'The identity provider’s signing keys did not load in time', next: RETRY },
  id_token_alg_not_allowed: {
    title: 'The ID token is signed with an algorithm that is not accepted',
    next: 'Configure the identity provider to sign ID tokens with RS256, PS256 or ES256.',
  },
  id_token_signature_invalid: {
    title: 'The ID token’s signature is invalid',
    next: 'The token was not signed by a key the identity provider publishes. If the provider just rotated keys, try again in a minute.',
  },
  id_token_unknown_key: {
    title: 'The ID token is signed with an unknown key',
    next: 'The identity provider signed with a key it does not publish; try again in a minute, then contact the provider.',
  },
  id_token_ambiguous_key: {
    title: 'The ID token names no key and several are published',
    next: 'Configure the identity provider to include a key id (kid) in its tokens.',
  },
  id_token_issuer_mismatch: {
    title: 'The ID token was issued by a different issuer',
    next: 'Enter the issuer exactly as the identity provider writes it in its tokens.',
  },
  id_token_audience_mismatch: { title: 'The ID token was issued for a different application', next: CHECK_IDP_APP },
  id_token_azp_mismatch: { title: 'The ID token names a different authorized party', next: CHECK_IDP_APP },
  id_token_claim_missing: {
    title: 'The ID token lacks a required claim',
    next: 'The identity provider must include sub, iat and exp in ID tokens; check its token configuration.',
  },
  id_token_claim_invalid: {
    title: 'A claim of the ID token is invalid',
    next: 'Check the identity provider’s token configuration.',
  },
  id_token_expired: {
    title: 'The ID token had already expired',
    next: 'Check that the identity provider’s clock is correct.',
  },
  id_token_not_yet_valid: {
    title: 'The ID token was not valid yet',
    next: 'The identity provider’s clock is ahead of ours; ask its administrator to sync it (NTP).',
  },
  id_token_issued_in_future: {
    title: 'The ID token was issued in the future',
    next: 'The identity provider’s clock is ahead of ours; ask its administrator to sync it (NTP).',
  },
  id_token_auth_time_missing: {
    title: 'The identity provider did not say when the member signed in',
    next: 'This connection requires a recent sign-in (maximum authentication age), so ID tokens must carry auth_time. Turn on auth_time in the identity provider’s application, or clear the maximum authentication age.',
  },
  id_token_auth_too_old: {
    title: 'The member’s sign-in at the identity provider was too long ago',
    next: 'The identity provider reused an older sign-in than this connection’s maximum authentication age allows. Sign in again; if it repeats, the provider ignores max_age: configure its session lifetime or raise the limit.',
  },
  id_token_nonce_mismatch: {
    title: 'The ID token belongs to a different sign-in',
    next: 'Start the sign-in again; if it repeats, the identity provider is not returning the nonce it was sent.',
  },
  id_token_malformed: {
    title: 'The ID token is malformed',
    next: 'Check the identity provider’s token configuration.',
  },
  userinfo_unreachable: { title: 'The identity provider’s userinfo endpoint could not be reached', next: RETRY },
  userinfo_timeout: { title: 'The userinfo endpoint did not answer in time', next: RETRY },
  userinfo_http_error: {
    title: 'The userinfo endpoint failed',
    next: 'Add email and name to the ID token at your identity provider, or check its userinfo endpoint.',
  },
  userinfo_sub_mismatch: {
    title: 'The userinfo endpoint answered for a different user',
    next: 'Contact the identity provider’s administrator: its userinfo answer does not match the token.',
  },
  provisioning_failed: {
    title: 'The member could not be provisioned',
    next: 'Check the connection’s provisioning and group settings.',
  },
  member_not_provisioned: {
    title: 'The member is not provisioned for this connection',
    next: 'Just-in-time provisioning is off: turn it on, or let only members who signed in before use it.',
  },
  directory_user_inactive: {
    title: 'The member is deactivated in the directory',
    next: 'Directory sync (SCIM) deactivated or removed this person: reactivate them in the identity provider’s assignments, and they can sign in at once.',
  },
  console_role_missing: {
    title: 'No console role for this person',
    next: 'The console sign-in was refused: none of the person’s identity-provider groups is mapped to a console role on this connection. Map one of their groups under Console roles.',
  },
  directory_user_unknown: {
    title: 'The member is not in the directory',
    next: 'This connection takes directory users only: assign the person to the application in the identity provider so directory sync provisions them.',
  },
  email_missing: {
    title: 'The identity provider sent no email address',
    next: 'This connection accepts only emails in your verified domains: have the identity provider send the email claim (OIDC) or attribute (SAML), or turn the restriction off.',
  },
  email_not_verified: {
    title: 'The identity provider did not say the email is verified',
    next: 'This connection accepts only verified emails: have the identity provider send email_verified: true (Microsoft Entra ID never does; see the email trust guide), or turn the restriction off.',
  },
  email_domain_not_verified: {
    title: 'The email is not in one of your verified domains',
    next: 'Verify the member’s email domain under Domains, or turn off “Accept only emails in this organization’s verified domains”.',
  },
  storage_unavailable: {
    title: 'The SSO service could not reach its database',
    next: 'Nothing to fix on your side; try again in a moment.',
  },
  storage_failed: {
    title: 'The SSO service could not store the sign-in',
    next: 'Contact support with the request id.',
  },
  internal_error: { title: 'Something went wrong in the SSO service', next: 'Contact support with the request id.' },
  bad_request: { title: 'The sign-in request was not valid', next: 'Start the sign-in again from the beginning.' },
  not_found: { title: 'Nothing to sign in to', next: 'Check that SSO is configured and active for this organization.' },
  rate_limited: { title: 'Too many sign-ins at once', next: 'Wait a minute and try again.' },
  sso_error: { title: 'The identity provider sign-in failed', next: CHECK_IDP_APP },
  ...SAML_SIGN_IN_REASON_TEXT,
};

/** "6 minutes" / "40 seconds" for a clock difference. */
function skewWords(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 90) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/**
 * A sign-in event's reason in plain words; with the trace's clock skew the heading names it (e.g. "The identity
 * provider’s clock is 6 minutes ahead: the token was not valid yet"). Unknown codes (a newer service) get a
 * generic text that still shows the code.
 */
export function describeSignInReason(reason: string | null, trace?: { clockSkewSec?: number }): Problem | null {
  if (reason === null) return null;
  if (!isSignInReason(reason)) {
    return {
      title: `The sign-in failed (${displayText(reason, 64)})`,
      next: 'See the trace for details, or contact support with the request id.',
    };
  }
  const problem = SIGN_IN_REASON_TEXT[reason];
  const skew = trace?.clockSkewSec;
  const clockReason = reason === 'id_token_not_yet_valid' || reason === 'id_token_issued_in_future';
  if (clockReason && typeof skew === 'number' && skew >= 1) {
    const what =
      reason === 'id_token_not_yet_valid' ? 'the token was not valid yet' : 'the token was issued in the future';
    return { title: `The identity provider’s clock is ${skewWords(skew)} ahead: ${what}`, next: problem.next };
  }
  return problem;
}

/** The Grantex API in use has no sign-in log (the hosted API answers 404 for it). */
export const ACTIVITY_NOT_SUPPORTED: Problem = {
  title: 'Sign-in activity is not available with this Grantex API',
  next: 'The sign-in log is a feature of the embedded Grantex-compatible service. Run the console against it (GRANTEX_URL) to see every sign-in attempt, its stage and reason.',
};

/** A trace's steps on the sign-in activity timeline (unknown names are shown as they come). */
export const TRACE_STEP_LABELS: Record<string, string> = {
  discovery: 'Discovery: the identity provider’s configuration',
  token: 'Token request',
  id_token: 'ID token checks (signature, issuer, audience, times)',
  userinfo: 'Identity: claims, and userinfo when the ID token lacks them',
  validation: 'SAML response validation (signature, conditions, replay)',
};

/** The overview page: its alerts and the labels of its health table. Dates are UTC days (YYYY-MM-DD). */
const utcDay = (iso: string) => (Number.isNaN(Date.parse(iso)) ? iso : new Date(iso).toISOString().slice(0, 10));

export const OVERVIEW_TEXT = {
  statsNotSupported: {
    title: 'Sign-in statistics are not available with this Grantex API',
    next: 'The statistics are counted by the embedded Grantex-compatible service. Run the console against it (GRANTEX_URL) to see sign-ins over time.',
  } satisfies Problem,
  noAlerts: 'Nothing needs your attention.',
  noAttempts: 'No sign-in attempts in this period.',
  noConnections: 'No connections yet.',
  unknownReason: 'Failed without a reason code',
  otherReasons: 'Other reasons',
  noConnection: 'No connection (the attempt named none)',
  certificateExpired: (connection: string, notAfter: string) => ({
    title: `${connection}: the identity provider’s certificate expired on ${utcDay(notAfter)}`,
    detail:
      'Sign-ins through this connection fail until it has a valid certificate. Add the identity provider’s new certificate (or refresh its metadata).',
  }),
  certificateExpiring: (connection: string, notAfter: string, days: number) => ({
    title: `${connection}: the identity provider’s certificate expires in ${days} day${days === 1 ? '' : 's'} (${utcDay(notAfter)})`,
    detail:
      'Ask the identity provider for its next signing certificate and add it to the connection before then; the connection keeps both while they overlap.',
  }),
  domainFailing: (domain: string, releasesAt: string | null) => ({
    title: `${domain}: the daily re-verification no longer finds its TXT record`,
    detail: `Restore the TXT record in your DNS${releasesAt ? ` before ${utcDay(releasesAt)}` : ''}, or the domain is released and members with this domain lose automatic routing.`,
  }),
  failureSpike: (connection: string | null, failures: number, attempts: number) => ({
    title: `${connection ?? 'Sign-ins without a connection'}: ${failures} of ${attempts} sign-ins failed in the last hour`,
    detail: 'Open the failed attempts for their reasons in plain words and what to do next.',
  }),
  domainState: {
    verified: 'verified',
    failing: 'failing re-verification',
    unverified: 'not verified',
    unknown: 'not added',
  },
  certificateState: { ok: 'valid', expiring: 'expiring soon', expired: 'expired' },
} as const;

// ─── Member sign-in by email, the connection chooser, verified domains ──────────────────────────

/** The /login email form's problems; the keys may travel in `/login?error=`. Never names another org's domain. */
export const MEMBER_EMAIL_ERRORS = {
  email_invalid: 'Enter your work email address, e.g. name@company.com',
  email_unknown:
    'Sign-in by email is not set up for this email address’s domain. Check the address, or ask your administrator for your organization’s sign-in link.',
  email_rate_limited: 'Too many sign-in attempts from your network. Wait a minute, then try again.',
} as const;
export type MemberEmailError = keyof typeof MEMBER_EMAIL_ERRORS;

export const MEMBER_CHOOSER_TEXT = {
  heading: 'Choose how to sign in',
  intro: 'Your organization has more than one identity provider. Pick the one your account belongs to.',
} as const;

/** A verified domain whose daily re-check no longer finds its TXT record (dates already formatted). */
export const DOMAIN_RECHECK_TEXT = {
  failing: (missingSince: string, releasesOn: string) =>
    `The TXT record was not found on ${missingSince}; the domain will be released on ${releasesOn} unless it is restored. Until then members still sign in by email; once released, another organization can verify it.`,
  restoreHint:
    'Publish this TXT record again at your DNS provider; the next daily check (or Verify) clears this warning:',
} as const;

/** The domains section of a connection's page. */
export const DOMAIN_ERRORS = {
  domain_invalid: 'Enter a domain such as example.com (without “@” or “https://”)',
  domain_listed_elsewhere: 'Another connection of this organization already lists this domain. Remove it there first.',
  domain_not_found: 'This domain is no longer registered. Reload the page.',
  connection_gone: 'This connection no longer exists. Reload the page.',
  not_signed_in: 'Your session has ended. Sign in again.',
} as const;

// ─── Provisioning settings of a connection (connection form and page) ───────────────────────────────────

export const PROVISIONING_TEXT = {
  jit: {
    on: {
      label: 'On: create members on their first sign-in',
      explanation: 'Anyone your identity provider signs in gets a member record here the first time.',
    },
    off: {
      label: 'Off: only members who signed in before',
      explanation:
        'Only people who already have a member record on this connection (they signed in before) may sign in; anyone new is refused.',
    },
  },
  groupAttributeHint:
    'The ID-token claim that lists the member’s groups, e.g. “groups”. Leave it empty to ignore groups.',
  groupMappingsHint:
    'One group per line: the group’s name, a colon, then the scopes its members get, separated by spaces, e.g. “engineering: repo:read deploy”.',
  defaultScopesHint: 'Scopes every member of this connection gets, separated by spaces. Leave it empty for none.',
  samlEmailTrust:
    'SAML identity providers say nothing about whether an email is verified: a member’s email counts as verified only when its domain is one you verified under Domains.',
  emailsVerifiedDomainsOnly: 'Only verified emails in this organization’s verified domains',
  emailsAny: 'Any (each session says whether the email is verified)',
  verifiedDomainsOnlyHint:
    'Members whose email is missing, not verified by the identity provider, or outside the domains you verified under Domains are refused. Turn it on when your application links accounts by email.',
  none: 'none',
} as const;

/** A SAML connection's "Attribute mapping" section (components/sso/saml-attribute-mapping-form.tsx). */
export const ATTRIBUTE_MAPPING_TEXT = {
  description:
    'Which attributes of the assertion each member field is read from. Leave a field empty to use the built-in defaults, which cover the common identity providers.',
  labels: {
    email: 'Email attribute',
    name: 'Display name attribute',
    givenName: 'Given name attribute',
    familyName: 'Family name attribute',
    subject: 'Subject attribute',
    groups: 'Groups attribute',
  },
  fieldHint: 'One attribute name, or several separated by commas: the first one the assertion carries is used.',
  subjectHint:
    'Leave it empty to keep the NameID as the member’s identifier. Setting it changes who each member is: existing members sign in as new ones.',
  groupsHint: 'Read instead of the group claim under Provisioning while it is set; leave it empty to use that claim.',
  presetLabel: 'Vendor preset',
  presetNone: 'Choose an identity provider',
  presetApply: 'Fill from preset',
  presetApplied: (vendor: string) =>
    `Filled with the ${vendor} preset. Review the fields, then save; nothing is saved yet.`,
  presetUnknown: 'Choose an identity provider from the list.',
  save: 'Save attribute mapping',
  saved: 'Attribute mapping saved. Run a test sign-in to check what it reads.',
  rejected: 'Grantex refused the attribute mapping; check the fields marked below.',
  receivedTitle: 'Received in the last test sign-in',
  receivedNone:
    'No test sign-in has recorded attributes yet. Run a test sign-in to see what the identity provider sends.',
  receivedUnavailable: 'The attributes of test sign-ins are shown to the organization’s admin.',
  receivedAt: (time: string) =>
    `Test sign-in of ${time}. Values are the member’s data as the identity provider sent it.`,
  receivedNameColumn: 'Attribute',
  receivedValueColumn: 'Values',
  errors: {
    too_many: 'Give at most 5 attribute names.',
    too_long: 'An attribute name can be at most 256 characters.',
    unsafe_text: 'Attribute names cannot contain control, zero-width or text-direction characters.',
    invalid: 'Check this attribute name.',
  },
} as const;
export type AttributeMappingErrorCode = keyof typeof ATTRIBUTE_MAPPING_TEXT.errors;

/** The session section of a connection's page (components/sso/session-policy-form.tsx). */
export const SESSION_POLICY_TEXT = {
  description: 'How long a member’s session through this connection may last, and how recent their sign-in must be.',
  maxSessionLabel: 'Maximum session length (minutes)',
  maxSessionHint:
    'Leave it empty for the service’s default. Sessions end at the earliest of this, the service’s limit and (SAML) the identity provider’s own session end. From 5 minutes to 30 days.',
  maxAuthAgeLabel: 'Maximum authentication age (minutes)',
  maxAuthAgeHint:
    'Sent to the identity provider as max_age: a member who signed in there longer ago must sign in again, and ID tokens must say when the member signed in (auth_time). Leave it empty to not ask. 0 means every time; at most 30 days.',
  save: 'Save session settings',
  saved: 'Session settings saved. They apply to new sign-ins.',
  rejected: 'Grantex refused the session settings; check the fields marked below.',
  errors: {
    not_a_number: 'Enter a whole number of minutes, or leave it empty.',
    session_range: 'Enter between 5 minutes and 30 days (43200 minutes).',
    auth_age_range: 'Enter between 0 and 30 days (43200 minutes).',
  },
} as const;
export type SessionPolicyErrorCode = keyof typeof SESSION_POLICY_TEXT.errors;
/** Directory sync (SCIM): the console's words, chosen by code. */
export const DIRECTORY_TEXT = {
  intro:
    'Let your identity provider create, update and deactivate people and groups here over SCIM 2.0. When IT deactivates someone, their sessions end at once and they cannot sign in again until they are reactivated.',
  tokenCreatedWarning:
    'Copy this token now and paste it into your identity provider’s provisioning settings. It is shown only once; if you lose it, create a new one and revoke this one.',
  revoked: 'The SCIM token was revoked. Your identity provider can no longer provision with it.',
  label_required: 'Give the token a label, e.g. the identity provider it is for.',
  label_too_long: 'Keep the label to 100 characters.',
  connection_unknown: 'Choose one of this organization’s connections, or all connections.',
  directoryOnlySaved: 'Saved. Only people the directory provisioned, and who are active there, can sign in through it.',
  directoryOpenSaved:
    'Saved. Anyone the identity provider vouches for can sign in through it; the directory only takes access away.',
  noTokens: 'No SCIM tokens yet.',
  noUsers: 'No people provisioned yet.',
  noGroups: 'No groups provisioned yet.',
} as const;

export const WEBHOOKS_TEXT = {
  intro:
    'Send this organization’s events — sign-ins, connection and domain changes, setup links, directory changes — to your own HTTPS endpoints, signed so you can check they came from here.',
  secretWarning:
    'Copy this signing secret now and keep it with your endpoint’s code. It is shown only once; if you lose it, rotate it from the API.',
  url_required: 'Enter the endpoint’s URL.',
  url_invalid: 'Enter a full http(s) URL, e.g. https://hooks.example.com/grantex.',
  url_too_long: 'Keep the URL to 2048 characters.',
  url_https_required: 'Use an https URL.',
  url_blocked_address: 'This URL points at a private or local address, which events are never sent to.',
  url_refused: 'This URL cannot receive events.',
  events_required: 'Choose at least one event, or all events.',
  fieldsNeedAttention: 'Some fields need your attention.',
  created: 'Endpoint added. Events are delivered to it from now on.',
  enabled: 'Endpoint enabled. Events are delivered to it again.',
  disabled: 'Endpoint disabled. No events are sent to it until you enable it.',
  deleted: 'Endpoint deleted. Nothing more is sent to it.',
  redelivered: 'The event will be sent again in a moment.',
  disabledAfterFailures:
    'Disabled after repeated failed deliveries: every retry of several events in a row failed. Fix the endpoint, then enable it.',
  noEndpoints: 'No webhook endpoints yet.',
  noDeliveries: 'Nothing delivered to this endpoint yet.',
  formatLegend: 'Format',
} as const;

/** The endpoint formats, by code: a name and what each is for. */
export const WEBHOOK_FORMAT_TEXT = {
  grantex: {
    label: 'Grantex events',
    short: 'Grantex',
    hint: 'One JSON event per request, for your own code. Verify it with the Grantex SDKs or any Standard Webhooks library.',
  },
  ocsf: {
    label: 'OCSF, for a SIEM',
    short: 'OCSF',
    hint: 'Batches of newline-delimited JSON: sign-ins as OCSF Authentication, admin changes as API Activity. For collectors that take OCSF.',
  },
  ecs: {
    label: 'Elastic Common Schema, for a SIEM',
    short: 'ECS',
    hint: 'Batches of newline-delimited JSON in ECS fields (event.*, user.*, source.ip, @timestamp). For Elastic and other ECS collectors.',
  },
} as const satisfies Record<WebhookFormat, { label: string; short: string; hint: string }>;

/** Where to paste the SCIM base URL and token, per identity provider (from each vendor's provisioning guide). */
export const DIRECTORY_GUIDES = [
  {
    id: 'entra',
    name: 'Microsoft Entra ID',
    steps: [
      'Open Enterprise applications → your application → Provisioning, and set Provisioning Mode to Automatic.',
      'Paste the SCIM base URL into Tenant URL and the token into Secret Token; choose Test Connection, then Save.',
      'Keep the default mappings: userName ← userPrincipalName, emails[type eq "work"].value ← mail, active ← not soft-deleted. Members are linked by email, so mail must be the address they sign in with.',
      'Assign users and groups to the application and turn Provisioning Status On.',
    ],
  },
  {
    id: 'okta',
    name: 'Okta',
    steps: [
      'In your app integration, open General → App Settings and enable SCIM provisioning.',
      'On the Provisioning tab, set SCIM connector base URL to the SCIM base URL and Unique identifier field for users to userName.',
      'Choose Push New Users, Push Profile Updates and Push Groups; Authentication Mode: HTTP Header, with the token as the Bearer value; Test Connector Configuration, then Save.',
      'Under To App, enable Create Users, Update User Attributes and Deactivate Users.',
    ],
  },
  {
    id: 'onelogin',
    name: 'OneLogin',
    steps: [
      'Use a SCIM Provisioner with SAML (SCIM v2 Enterprise) application.',
      'On Configuration, paste the SCIM base URL into SCIM Base URL and the token into SCIM Bearer Token; choose Enable.',
      'On Provisioning, enable provisioning and choose what happens when a user is deleted or suspended (Suspend maps to a deactivation here).',
    ],
  },
  {
    id: 'google',
    name: 'Google Workspace',
    steps: [
      'Google Workspace provisions over SCIM only to the applications in its own catalogue; for this application, use SAML or OIDC sign-in with just-in-time provisioning, and remove people by suspending them in Google (their next sign-in fails at Google).',
    ],
  },
] as const;

// ─── Console roles, SSO enforcement, break-glass (/signin, /settings/sso/security) ──────────────────

/** The error code of an action or route refused because the caller's console role is too low. */
export const ROLE_REQUIRED = 'ROLE_REQUIRED' as const;

export const CONSOLE_ROLE_LABELS: Record<ConsoleRole, string> = {
  owner: 'Owner',
  admin: 'Admin',
  viewer: 'Viewer',
};

const withArticle = (role: ConsoleRole) => `${role === 'owner' || role === 'admin' ? 'an' : 'a'} ${role}`;

/** The text of a ROLE_REQUIRED refusal: which role is needed, which one the caller has, and what to do. */
export function roleRequiredText(needed: ConsoleRole, current: ConsoleRole): string {
  const which = needed === 'owner' ? 'the owner role' : `the ${needed} role or higher`;
  return `This needs ${which}; you are signed in as ${withArticle(current)}. Ask an owner of your organization to map your IdP group to that role.`;
}

/** Next to a disabled control: why it is disabled. */
export function roleNeededHint(needed: ConsoleRole): string {
  return needed === 'owner' ? 'Only an owner can do this.' : `Needs the ${needed} role or higher.`;
}

export const CONSOLE_SIGNIN_TEXT = {
  sso_required: 'Your organization requires SSO sign-in. Use your work email, or a break-glass credential.',
  email_invalid: 'Enter your work email address (name@company.com).',
  break_glass_invalid: 'That break-glass credential is not valid (it may have been deleted). Check it and try again.',
  break_glass_format: 'Paste the whole break-glass credential; it starts with gxbg_.',
  break_glass_rate: (seconds: number) =>
    `Too many break-glass attempts; try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
  role_missing: {
    title: 'Your account has no console role',
    next: 'Your identity provider signed you in, but none of your groups is mapped to a console role for this organization. Ask an owner to map your group to a role on the connection’s page (Console roles), then sign in again.',
  },
  signed_out_everywhere: 'You are signed out.',
} as const;

export const SECURITY_TEXT = {
  enforce_needs_owner_sso:
    'To turn enforcement on, an owner must have signed in to the console through SSO within the last hour. Sign in with your work email (as an owner), then turn it on; that proves SSO works before the API-key sign-in is switched off.',
  enforcement_on: 'SSO is now required to sign in to the console.',
  enforcement_off: 'SSO is no longer required: API-key sign-in works again.',
  label_required: 'Give the credential a name (who keeps it, or where it is stored).',
  label_too_long: 'Keep the name under 100 characters.',
  deleted: 'Break-glass credential deleted. It can no longer sign in.',
  not_found: 'That credential was already deleted.',
  banner: (label: string, at: string) =>
    `A break-glass credential (“${displayText(label)}”) was used at ${at}. If that was not expected, delete the credential on the Security page.`,
} as const;

export const CONSOLE_ROLES_TEXT = {
  group_required: 'Enter the IdP group name.',
  group_too_long: 'A group name is at most 256 characters.',
  group_invalid: 'A group name cannot contain control characters.',
  role_invalid: 'Choose owner, admin or viewer.',
  duplicate_group: 'This group is listed twice; keep one row per group.',
  too_many: 'At most 50 groups can be mapped to console roles.',
  saved: 'Console roles saved. They apply at each person’s next sign-in.',
} as const;
