import { createRandomPool } from './random-pool';

const random = createRandomPool(8192);

/** Opaque ids such as `dev_…` and `conn_…`; 16 random bytes make collisions irrelevant. */
export function randomId(prefix: string, bytes = 16): string {
  return `${prefix}_${random(bytes).toString('base64url')}`;
}
