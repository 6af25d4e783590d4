import 'server-only';
import { decode } from 'next-auth/jwt';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { env } from '@/lib/env';
import { isGrantexError } from '@/lib/grantex/errors';
import { grantexForAdmin } from '@/lib/grantex/server';
import { adminTokenSchema, sessionCookieName } from './options';
import type { ConsoleRole, ConsoleVia } from './roles';
import { setupTokenSchema } from './setup-token';

export interface Admin {
  developerId: string;
  name: string;
  email: string | null;
  /**
   * The bearer for Grantex: the API key (via `api_key`) or the `gxc_` console session token (via `sso` or
   * `break_glass`). Server-side only: pass the admin to grantexForAdmin, never to a client component.
   */
  apiKey: string;
  /** The console role: the API key is the owner; an SSO sign-in's comes from the IdP groups. */
  role: ConsoleRole;
  via: ConsoleVia;
  /** Who signed in (SSO: email or subject; break-glass: the credential's label); null for the API key. */
  person: string | null;
}

/** next-auth splits cookies over 4 KB into `<name>.0`, `<name>.1`, …; join them back. */
function readSessionToken(jar: Awaited<ReturnType<typeof cookies>>): string | undefined {
  const name = sessionCookieName();
  const whole = jar.get(name)?.value;
  if (whole) return whole;
  const chunks = jar
    .getAll()
    .filter((c) => c.name.startsWith(`${name}.`))
    .map((c) => ({ index: Number(c.name.slice(name.length + 1)), value: c.value }))
    .filter((c) => Number.isInteger(c.index))
    .sort((a, b) => a.index - b.index);
  return chunks.length ? chunks.map((c) => c.value).join('') : undefined;
}

/** The decoded session cookie (admin or setup link), or null. Cached per request: decoded once. */
export const readSessionPayload = cache(async (): Promise<unknown> => {
  const token = readSessionToken(await cookies());
  if (!token) return null;
  try {
    return await decode({ token, secret: env().NEXTAUTH_SECRET });
  } catch {
    // Expired, tampered with, or sealed with an older secret: treat as signed out.
    return null;
  }
});

/**
 * The organization's enforcement as `bearer` (the admin's API key or console token) reads it, once per request:
 * the API-key session check and the admin shell's break-glass banner both need it on every page. Pages that show
 * enforcement after changing it read it themselves, never through this.
 */
export const orgEnforcement = cache((bearer: string) => grantexForAdmin({ apiKey: bearer }).sso.getEnforcement());

/**
 * Whether the organization now requires SSO, for a browser still signed in with the API key from before. Only a
 * `true` answer counts: a Grantex without the route (the hosted API) or one that cannot answer leaves the session
 * as it is (its next call to Grantex fails on its own), so an outage never looks like a sign-out.
 */
async function ssoNowRequired(apiKey: string): Promise<boolean> {
  try {
    return (await orgEnforcement(apiKey)).enforce;
  } catch {
    return false;
  }
}

/**
 * A console session as Grantex sees it now: ended (revoked by sign-out, by its member session's end, by a role
 * mapping that changed it, by SCIM) → null; otherwise its current role. When Grantex cannot answer, the role the
 * cookie recorded stands (Grantex checks every call's role again anyway).
 */
async function currentConsoleSession(
  token: string,
  recorded: { role: ConsoleRole; via: ConsoleVia },
): Promise<{ role: ConsoleRole; via: ConsoleVia } | null> {
  try {
    const me = await grantexForAdmin({ apiKey: token }).console.me();
    return { role: me.role, via: me.via };
  } catch (err) {
    if (isGrantexError(err) && err.kind === 'unauthorized') return null;
    return recorded;
  }
}

/**
 * The signed-in admin (API key, SSO or break-glass; a setup-link session is not an admin), or null. Cached per
 * request. A console session is asked on every request (one indexed read on the service, as setup links are), so a
 * revoked session or a changed role applies at the next navigation. An API-key session ends once the organization
 * requires SSO: the API-key sign-in is refused then, and so is its session.
 */
export const getAdmin = cache(async (): Promise<Admin | null> => {
  const parsed = adminTokenSchema.safeParse(await readSessionPayload());
  if (!parsed.success) return null;
  const { developerId, name, email, apiKey, consoleRole, via, person, expiresAt } = parsed.data;
  // next-auth extends its cookie as pages are used; a console session still ends when Grantex ends it.
  if (expiresAt !== undefined && !(Date.parse(expiresAt) > Date.now())) return null;
  if (via === 'api_key') {
    if (await ssoNowRequired(apiKey)) return null;
    return { developerId, name, email, apiKey, role: consoleRole, via, person };
  }
  const current = await currentConsoleSession(apiKey, { role: consoleRole, via });
  if (!current) return null;
  return { developerId, name, email, apiKey, role: current.role, via: current.via, person };
});

/** True when the browser holds a setup-link session (valid or not: the service decides that). */
export async function hasSetupSession(): Promise<boolean> {
  return setupTokenSchema.safeParse(await readSessionPayload()).success;
}

/** Where a signed-out visitor goes, or a setup-link user who asked for an admin-only page. */
export async function refuseNonAdmin(returnTo?: string): Promise<never> {
  if (await hasSetupSession()) redirect('/setup/restricted');
  redirect(returnTo ? `/signin?callbackUrl=${encodeURIComponent(returnTo)}` : '/signin');
}

/**
 * The signed-in admin; otherwise redirects to /signin (with a same-origin return path when given), or a
 * setup-link user to the page that says what their link allows.
 */
export async function requireAdmin(returnTo?: string): Promise<Admin> {
  const admin = await getAdmin();
  if (!admin) return refuseNonAdmin(returnTo);
  return admin;
}
