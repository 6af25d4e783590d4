import { createHash, timingSafeEqual } from 'node:crypto';

export interface DemoUser {
  username: string;
  password: string;
  /** Stable across restarts so a relying party can key identities on it. */
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  /**
   * Sent as the OIDC `groups` claim (with the profile scope) and the SAML `groups` attribute, so a connection can
   * map them to console roles: alice is an owner, bob a viewer.
   */
  groups: readonly string[];
}

/** Demo credentials are public on purpose: this IdP exists only for local development and tests. */
export const DEMO_USERS: readonly DemoUser[] = Object.freeze([
  {
    username: 'alice',
    password: 'alice-password',
    sub: '6f1c2a4e-3b7d-4e8a-9c1f-a11ce0000001',
    email: 'alice@example.com',
    emailVerified: true,
    name: 'Alice Anderson',
    groups: ['sso-owners'],
  },
  {
    username: 'bob',
    password: 'bob-password',
    sub: '0b2d7f9a-5c3e-4a1b-8d6f-b0b000000002',
    email: 'bob@example.com',
    emailVerified: true,
    name: 'Bob Brown',
    groups: ['sso-viewers'],
  },
]);

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Compares digests so the comparison time does not depend on how much of the password matched. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function findUserByCredentials(username: string, password: string): DemoUser | undefined {
  const user = DEMO_USERS.find((u) => u.username === username.trim().toLowerCase());
  if (!user) {
    // Burn the same work as a real comparison so unknown usernames are not distinguishable by time.
    sameSecret(password, 'x');
    return undefined;
  }
  return sameSecret(password, user.password) ? user : undefined;
}

export function findUserBySub(sub: string): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.sub === sub);
}
