'use client';

import { signOut } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';

/**
 * Signs out through next-auth (it clears the HttpOnly session cookie), then navigates itself:
 * next-auth's own redirect would use NEXTAUTH_URL's host, which may differ from the one in use.
 */
export function SignOutButton() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  async function onClick() {
    setPending(true);
    try {
      await signOut({ redirect: false });
    } finally {
      router.replace('/signin?signedOut=1');
      router.refresh();
    }
  }
  return (
    <Button variant="secondary" size="sm" pending={pending} pendingLabel="signing out" onClick={onClick}>
      Sign out
    </Button>
  );
}
