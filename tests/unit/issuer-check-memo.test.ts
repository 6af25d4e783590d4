import { describe, expect, it } from 'vitest';
import { createIssuerCheckMemo } from '@/lib/sso-service/features/connections/issuer-check-memo';
import type { IssuerCheck } from '@/lib/sso-service/relying-party-port';

function harness(first: IssuerCheck = { ok: true }) {
  const clock = { ms: 1_000_000 };
  const calls: string[] = [];
  let next: IssuerCheck = first;
  let release: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  const memo = createIssuerCheckMemo(
    async (url) => {
      calls.push(url);
      if (gate) await gate;
      return next;
    },
    { ttlMs: 60_000, maxStaleMs: 600_000, now: () => clock.ms },
  );
  return {
    memo,
    clock,
    calls,
    set(result: IssuerCheck) {
      next = result;
    },
    hold() {
      gate = new Promise((r) => (release = r));
    },
    open() {
      gate = null;
      release?.();
    },
  };
}

const URL_A = 'https://idp.example.com';

describe('issuer check memo', () => {
  it('answers from a fresh success without checking again', async () => {
    const h = harness();
    expect(await h.memo.check(URL_A)).toEqual({ ok: true });
    h.clock.ms += 59_000;
    expect(await h.memo.check(URL_A)).toEqual({ ok: true });
    expect(h.calls).toHaveLength(1);
  });

  it('after the TTL answers from the last success at once and refreshes once in the background', async () => {
    const h = harness();
    await h.memo.check(URL_A);
    h.clock.ms += 61_000;
    h.hold();
    const results = await Promise.all([h.memo.check(URL_A), h.memo.check(URL_A), h.memo.check(URL_A)]);
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(h.calls).toHaveLength(2); // one coalesced background refresh, still pending
    h.open();
    await new Promise((r) => setTimeout(r, 0));
    expect(await h.memo.check(URL_A)).toEqual({ ok: true });
    expect(h.calls).toHaveLength(2);
  });

  it('a failed background refresh drops the success: the next save checks live and sees the failure', async () => {
    const h = harness();
    await h.memo.check(URL_A);
    h.clock.ms += 61_000;
    h.set({ ok: false, reason: 'issuer_mismatch', message: 'other issuer' });
    expect(await h.memo.check(URL_A)).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 0));
    expect(await h.memo.check(URL_A)).toEqual({ ok: false, reason: 'issuer_mismatch', message: 'other issuer' });
  });

  it('past the stale window checks live; failures are never remembered; invalidate forgets', async () => {
    const h = harness({ ok: false, reason: 'not_json', message: 'x' });
    expect((await h.memo.check(URL_A)).ok).toBe(false);
    h.set({ ok: true });
    expect((await h.memo.check(URL_A)).ok).toBe(true);
    h.clock.ms += 60_000 + 600_000 + 1;
    h.set({ ok: false, reason: 'not_json', message: 'x' });
    expect((await h.memo.check(URL_A)).ok).toBe(false);
    h.set({ ok: true });
    await h.memo.check(URL_A);
    h.memo.invalidate(URL_A);
    h.set({ ok: false, reason: 'not_json', message: 'x' });
    expect((await h.memo.check(URL_A)).ok).toBe(false);
    expect(h.calls).toHaveLength(5);
  });
});
