import 'server-only';
import { decode } from 'next-auth/jwt';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { env } from '@/lib/env';
import { adminTokenSchema, sessionCookieName } from './options';

export interface Admin {
  developerId: string;
  name: string;
  email: string | null;
  /** Server-side only: pass it to grantexForAdmin, never to a client component. */
  apiKey: string;
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

/** The signed-in admin, or null. Cached per request so layout and page decode the cookie once. */
export const getAdmin = cache(async (): Promise<Admin | null> => {
  const token = readSessionToken(await cookies());
  if (!token) return null;
  try {
    const payload = await decode({ token, secret: env().NEXTAUTH_SECRET });
    const parsed = adminTokenSchema.safeParse(payload);
    if (!parsed.success) return null;
    const { developerId, name, email, apiKey } = parsed.data;
    return { developerId, name, email, apiKey };
  } catch {
    // Expired, tampered with, or sealed with an older secret: treat as signed out.
    return null;
  }
});

/** The signed-in admin; otherwise redirects to /signin (with a same-origin return path when given). */
export async function requireAdmin(returnTo?: string): Promise<Admin> {
  const admin = await getAdmin();
  if (!admin) {
    redirect(returnTo ? `/signin?callbackUrl=${encodeURIComponent(returnTo)}` : '/signin');
  }
  return admin;
}
