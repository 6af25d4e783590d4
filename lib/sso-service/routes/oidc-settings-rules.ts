/**
 * The rules OIDC settings must pass before a save, shared by the legacy config and the connections routes:
 * URL and credential rules first (every field problem in one message), then the protocol's issuer check.
 */
import { checkSsoUrl, LIMITS } from '@/lib/contract';
import { BoundedMap } from '../bounded-map';
import type { ServiceContext } from '../context';
import { badRequest } from '../http/api-error';
import { hasUnsafeText, UNSAFE_TEXT_MESSAGE } from '../http/text-rules';

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
  const verdicts = new BoundedMap<string, string | null>(maxEntries);
  return (value: string, kind: 'issuerUrl' | 'redirectUri'): string | null => {
    const key = `${kind}\n${value}`;
    const known = verdicts.get(key);
    if (known !== undefined) return known;
    const verdict = checkSsoUrl(value, kind, { devMode });
    verdicts.set(key, verdict);
    return verdict;
  };
}

function checkCredential(value: string, max: number): string | null {
  if (value.length > max) return `must be at most ${max} characters`;
  if (hasUnsafeText(value)) return UNSAFE_TEXT_MESSAGE;
  return null;
}

export function oidcSettingsRules(ctx: Pick<ServiceContext, 'config' | 'protocols'>) {
  const checkUrl = memoizedUrlCheck(ctx.config.devMode);
  return {
    /** All field problems of the fields given, in one message, or null. */
    fieldProblems(input: OidcSettingsInput): string | null {
      const problems: [string, string | null][] = [
        ['issuerUrl', input.issuerUrl === undefined ? null : checkUrl(input.issuerUrl, 'issuerUrl')],
        ['clientId', input.clientId === undefined ? null : checkCredential(input.clientId, LIMITS.clientIdMax)],
        ['clientSecret', input.clientSecret === undefined ? null : checkCredential(input.clientSecret, LIMITS.clientSecretMax)],
        ['redirectUri', input.redirectUri === undefined ? null : checkUrl(input.redirectUri, 'redirectUri')],
      ];
      const message = problems
        .filter((p): p is [string, string] => p[1] !== null)
        .map(([field, why]) => `${field}: ${why}`)
        .join('; ');
      return message || null;
    },
    /** Wrong, blocked or invalid discovery refuses the save; an unreachable IdP does not (login answers 503 until it is back). */
    async checkIssuer(issuerUrl: string): Promise<void> {
      const check = await ctx.protocols.oidc.checkSettings({ protocol: 'oidc', issuerUrl });
      if (!check.ok && !check.transient) throw badRequest(`${check.field}: ${check.message}`);
    },
  };
}
