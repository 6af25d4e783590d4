import NextAuth from 'next-auth';
import type { NextRequest } from 'next/server';
import { authOptions } from '@/lib/auth/options';

// Built per request so configuration errors surface as a clear 500 instead of failing the build.
async function handler(req: NextRequest, ctx: { params: Promise<{ nextauth: string[] }> }) {
  // next-auth v4's types predate Next 15's async params; at runtime it awaits them.
  return NextAuth(req as never, ctx as never, authOptions()) as Promise<Response>;
}

export { handler as GET, handler as POST };
