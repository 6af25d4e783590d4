/**
 * Random bytes for the login hot path, drawn from a pooled buffer: one randomFillSync per 256 logins
 * instead of a syscall-backed randomBytes call per login. Every byte is handed out once; callers copy or
 * encode what they take before the next call (the pool is refilled in place).
 */
import { randomFillSync } from 'node:crypto';

export function createRandomPool(size = 32 * 1024): (n: number) => Buffer {
  const pool = Buffer.allocUnsafe(size);
  let offset = size;
  return (n) => {
    if (n > size) return randomFillSync(Buffer.allocUnsafe(n));
    if (offset + n > size) {
      randomFillSync(pool);
      offset = 0;
    }
    const out = pool.subarray(offset, offset + n);
    offset += n;
    return out;
  };
}
