/**
 * The rules OIDC settings must pass before a save, shared by the legacy config and the connections routes:
 * URL and credential rules first (every field problem in one message), then the protocol's issuer check.
 */
import {
  CALLBACK_KEY_PATTERN,
  checkSsoUrlIssue,
  classifyConsoleRedirectUri,
  type FieldErrorCode,
  LIMITS,
  perConnectionRedirectUri,
  sharedRedirectUri,
} from '@/lib/contract';
import { BoundedMap } from '../../bounded-map';
import type { ServiceContext } from '../../context';
import { ApiError, fieldsRejected } from '../../http/api-error';
import { hasUnsafeText, UNSAFE_TEXT_MESSAGE } from '../../http/text-rules';

export interface OidcSettingsInput {
  issuerUrl?: string;
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
}

/**
 * checkSsoUrl is pure and the same few URLs are saved over and over; remembering recent verdicts keeps URL
 * parsing and address classification off the hot path.
 */
function memoizedUrlCheck(devMode: boolean, maxEntries = 2000) {
  type Verdict = ReturnType<typeof checkSsoUrlIssue>;
  const verdicts = new BoundedMap<string, Verdict>(maxEntries);
  return (value: string, kind: 'issuerUrl' | 'redirectUri'): Verdict => {
    const key = `${kind}\n${value}`;
    const known = verdicts.get(key);
    if (known !== undefined) return known;
    const verdict = checkSsoUrlIssue(value, kind, { devMode });
    verdicts.set(key, verdict);
    return verdict;
  };
}

function checkCredential(value: string, max: number): { code: FieldErrorCode; message: string } | null {
  if (value.length > max) return { code: 'too_long', message: `must be at most ${max} characters` };
  if (hasUnsafeText(value)) return { code: 'unsafe_text', message: UNSAFE_TEXT_MESSAGE };
  return null;
}

/** Never names or hints at the connection (or org) that holds the URI. */
export const REDIRECT_URI_TAKEN =
  'This redirect URI is already registered for another connection; use the one this form proposes';

export function oidcSettingsRules(ctx: Pick<ServiceContext, 'config' | 'protocols' | 'store'>) {
  const checkUrl = memoizedUrlCheck(ctx.config.devMode);
  return {
    /** All field problems of the fields given, or null. */
    fieldProblems(input: OidcSettingsInput): ApiError | null {
      const problems: [string, { code: FieldErrorCode; message: string } | null][] = [
        ['issuerUrl', input.issuerUrl === undefined ? null : checkUrl(input.issuerUrl, 'issuerUrl')],
        ['clientId', input.clientId === undefined ? null : checkCredential(input.clientId, LIMITS.clientIdMax)],
        [
          'clientSecret',
          input.clientSecret === undefined ? null : checkCredential(input.clientSecret, LIMITS.clientSecretMax),
        ],
        ['redirectUri', input.redirectUri === undefined ? null : checkUrl(input.redirectUri, 'redirectUri')],
      ];
      const found = problems.flatMap(([field, why]) => (why ? [{ field, ...why }] : []));
      return found.length > 0 ? fieldsRejected(found) : null;
    },
    /**
     * The IdP mix-up defence: which redirect URI a connection may register, and the string to store.
     * Every callback below `<console>/sso/callback/` is one connection's own: it must be of the form
     * `<console>/sso/callback/<key>` and no other connection, of any org, may hold it (409, naming nobody), so
     * the URI a response arrives at names exactly one connection and the callback can refuse a state for any
     * other (login/completion.ts). It is stored as `perConnectionRedirectUri` spells it, so no second spelling of one
     * URL (`HTTP://…`, a default port) passes the uniqueness check. The shared `<console>/sso/callback` stays
     * accepted for connections saved before (legacy; their logins keep the weaker protection), and URIs outside
     * the console (an SDK user's own app) are the caller's business, as before.
     * `ownId`: the connection being saved (read only when needed).
     */
    async registeredRedirectUri(
      redirectUri: string,
      ownId: string | (() => Promise<string | undefined>),
    ): Promise<string> {
      const consoleUrl = ctx.config.consoleUrl;
      const found = classifyConsoleRedirectUri(consoleUrl, redirectUri);
      if (found.kind === 'malformed') {
        throw fieldsRejected([
          {
            field: 'redirectUri',
            code: 'invalid',
            message: `a redirect URI below ${sharedRedirectUri(consoleUrl)}/ must be ${perConnectionRedirectUri(consoleUrl, '<key>')}, the key being 8–64 letters, digits, "-" or "_" (${CALLBACK_KEY_PATTERN.source})`,
          },
        ]);
      }
      if (found.kind !== 'per_connection') return redirectUri;
      const holders = await ctx.store.findOidcConnectionIdsByRedirectUri(found.canonical, 2);
      const own = holders.length === 0 ? undefined : typeof ownId === 'string' ? ownId : await ownId();
      if (holders.some((id) => id !== own)) throw new ApiError(409, 'CONFLICT', REDIRECT_URI_TAKEN);
      return found.canonical;
    },
    /** Wrong, blocked or invalid discovery refuses the save; an unreachable IdP does not (login answers 503 until it is back). */
    async checkIssuer(issuerUrl: string): Promise<void> {
      const check = await ctx.protocols.oidc.checkSettings({ protocol: 'oidc', issuerUrl });
      if (!check.ok && !check.transient)
        throw fieldsRejected([{ field: check.field, code: 'issuer_check_failed', message: check.message }]);
    },
  };
}
