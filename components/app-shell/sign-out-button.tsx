'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';

/** next-auth's browser module (~12 KB gzip) is only needed once someone signs out: load it then. */
const loadNextAuth = () => import('next-auth/react');

/**
 * Signs out through next-auth (it clears the HttpOnly session cookie), then navigates itself:
 * next-auth's own redirect would use NEXTAUTH_URL's host, which may differ from the one in use.
 * `signOut` needs no SessionProvider; its module is fetched on hover/focus, or at the latest on click.
 */
export function SignOutButton() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  async function onClick() {
    setPending(true);
    try {
      const { signOut } = await loadNextAuth();
      await signOut({ redirect: false });
    } finally {
      router.replace('/signin?signedOut=1');
      router.refresh();
    }
  }
  const prefetch = () => void loadNextAuth().catch(() => undefined);
  return (
    <Button
      variant="secondary"
      size="sm"
      pending={pending}
      pendingLabel="signing out"
      onClick={onClick}
      onPointerEnter={prefetch}
      onFocus={prefetch}
    >
      Sign out
    </Button>
  );
}
