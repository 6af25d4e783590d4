import 'server-only';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { CONSOLE_TOKEN_PREFIX, LIMITS } from '@/lib/contract';
import { env } from '@/lib/env';
import { isGrantexError } from '@/lib/grantex/errors';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { CONSOLE_SIGNIN_TEXT } from '@/lib/console/messages';
import { grantexForAdmin, grantexLogFields } from '@/lib/grantex/server';
import { CONSOLE_ROLES, CONSOLE_VIAS } from './roles';
import { checkSigninRate, signinRateMessage } from './signin-limit';

export const API_KEY_PROVIDER_ID = 'api-key';
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

/** Contract: 16–512 characters, no whitespace. Exact prefixes are left to Grantex (hosted keys may differ). */
export const apiKeySchema = z
  .string()
  .trim()
  .min(LIMITS.apiKeyMin, 'That is too short to be a Grantex API key. Paste the whole key (it starts with gx_).')
  .max(LIMITS.apiKeyMax, 'That is too long to be a Grantex API key.')
  .regex(/^\S+$/, 'An API key has no spaces. Paste the key exactly as it was shown.');

/**
 * What the encrypted session cookie holds for an admin. The bearer (`apiKey`: the API key, or the `gxc_` console
 * session token of an SSO or break-glass sign-in) stays server-side: the cookie is HttpOnly and encrypted.
 * A cookie without `consoleRole`/`via` was made by an API-key sign-in, which is the owner.
 */
export const adminTokenSchema = z
  .object({
    role: z.literal('admin'),
    developerId: z.string().min(1),
    name: z.string(),
    email: z.string().nullable(),
    apiKey: z.string().min(1),
    consoleRole: z.enum(CONSOLE_ROLES).default('owner'),
    via: z.enum(CONSOLE_VIAS).default('api_key'),
    /** SSO: the person's email (or subject); break-glass: the credential's label. Null for the API key. */
    person: z.string().nullable().default(null),
    /** When the console session ends (SSO, break-glass): the cookie is not trusted after it, whatever next-auth says. */
    expiresAt: z.string().optional(),
  })
  // The role travels with the bearer: an API key is always the owner, a console token never passes for a key.
  .refine((t) => (t.via === 'api_key') === !t.apiKey.startsWith(CONSOLE_TOKEN_PREFIX), { path: ['via'] })
  .refine((t) => t.via !== 'api_key' || t.consoleRole === 'owner', { path: ['consoleRole'] });
export type AdminToken = z.infer<typeof adminTokenSchema>;

/** Everything the browser may see about the signed-in admin. */
export interface AdminSessionUser {
  developerId: string;
  name: string;
  email: string | null;
  consoleRole: AdminToken['consoleRole'];
  via: AdminToken['via'];
}

/**
 * next-auth builds absolute URLs from NEXTAUTH_URL; keep it equal to the console's public URL
 * (APP_URL is the documented name) so redirects never switch hosts and lose cookies.
 */
function syncNextAuthUrl(appUrl: string) {
  process.env.NEXTAUTH_URL ??= appUrl;
}

function signinErrorMessage(err: unknown): string {
  if (isGrantexError(err) && err.kind === 'unauthorized') {
    return 'Grantex did not accept this API key. Check that you pasted the whole key, or create a new one.';
  }
  if (isGrantexError(err) && err.kind === 'rate_limited') {
    const wait = err.retryAfterSeconds ?? 60;
    return `Grantex is limiting requests; try again in ${wait} second${wait === 1 ? '' : 's'}.`;
  }
  return describeGrantexError(err);
}

/** The organization requires SSO for the console: the API key may not sign in (machines keep using it). */
class SsoRequiredError extends Error {}

/**
 * Whether the organization requires SSO. A Grantex without the enforcement route (404, the hosted API before it)
 * requires nothing; any other failure refuses the sign-in (the caller reports it), never lets it through.
 */
async function ssoRequired(client: ReturnType<typeof grantexForAdmin>): Promise<boolean> {
  try {
    return (await client.sso.getEnforcement()).enforce;
  } catch (err) {
    if (isGrantexError(err) && err.kind === 'not_found') return false;
    throw err;
  }
}

export function authOptions(): NextAuthOptions {
  const config = env();
  syncNextAuthUrl(config.APP_URL);
  return {
    secret: config.NEXTAUTH_SECRET,
    useSecureCookies: config.secureCookies,
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/signin', error: '/signin' },
    providers: [
      CredentialsProvider({
        id: API_KEY_PROVIDER_ID,
        name: 'API key',
        credentials: { apiKey: { label: 'API key', type: 'password' } },
        // Thrown messages travel to the sign-in form as `error`; they are user-facing and never contain the key.
        async authorize(credentials, req) {
          const wait = checkSigninRate(req.headers ?? {});
          if (wait !== null) throw new Error(signinRateMessage(wait));
          const parsed = apiKeySchema.safeParse(credentials?.apiKey);
          if (!parsed.success) {
            throw new Error(parsed.error.issues[0]?.message ?? 'Enter your Grantex API key.');
          }
          try {
            const client = grantexForAdmin({ apiKey: parsed.data });
            const me = await client.orgs.me();
            if (await ssoRequired(client)) {
              console.warn('[auth] sign-in: API key refused, the organization requires SSO');
              throw new SsoRequiredError();
            }
            return {
              id: me.developerId,
              developerId: me.developerId,
              name: me.name,
              email: me.email,
              apiKey: parsed.data,
            };
          } catch (err) {
            if (err instanceof SsoRequiredError) throw new Error(CONSOLE_SIGNIN_TEXT.sso_required);
            if (!(isGrantexError(err) && err.kind === 'unauthorized')) {
              console.error('[auth] sign-in: Grantex /v1/me failed', grantexLogFields(err));
            }
            throw new Error(signinErrorMessage(err));
          }
        },
      }),
    ],
    events: {
      // Signing out of a console session ends it at Grantex too (the token is useless from then on).
      async signOut({ token }) {
        const parsed = adminTokenSchema.safeParse(token);
        if (!parsed.success || parsed.data.via === 'api_key') return;
        await grantexForAdmin({ apiKey: parsed.data.apiKey })
          .console.signOut()
          .catch((err: unknown) => console.warn('[auth] sign-out: console session not revoked', grantexLogFields(err)));
      },
    },
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          const u = user as unknown as Partial<AdminToken> & { id: string };
          // Replace the token wholesale: next-auth's defaults (picture, …) are not needed.
          return {
            sub: u.id,
            role: 'admin',
            developerId: u.developerId,
            name: u.name,
            email: u.email ?? null,
            apiKey: u.apiKey,
          };
        }
        return token;
      },
      async session({ session, token }) {
        // Built from scratch so nothing else in the token (the API key above all) can leak into /api/auth/session.
        const parsed = adminTokenSchema.safeParse(token);
        const user: AdminSessionUser | undefined = parsed.success
          ? {
              developerId: parsed.data.developerId,
              name: parsed.data.name,
              email: parsed.data.email,
              consoleRole: parsed.data.consoleRole,
              via: parsed.data.via,
            }
          : undefined;
        return { expires: session.expires, ...(user ? { user } : {}) } as typeof session;
      },
    },
    logger: {
      // next-auth's default logger prints whole error objects and metadata; keep logs to codes.
      error(code, metadata) {
        const message = metadata instanceof Error ? metadata.message : '';
        console.error(`[next-auth] ${code}${message ? `: ${message}` : ''}`);
      },
      warn(code) {
        console.warn(`[next-auth] ${code}`);
      },
      debug() {},
    },
  };
}

/** Name of the session cookie, as next-auth derives it from `useSecureCookies`. */
export function sessionCookieName(): string {
  return `${env().secureCookies ? '__Secure-' : ''}next-auth.session-token`;
}
