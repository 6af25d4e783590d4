import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { inTurnBatches } from '@/lib/sso-service/http/turn-batches';

const turnEnd = () => new Promise<void>((resolve) => setImmediate(resolve));
const request = (n: number) => [{ url: `/${n}` } as IncomingMessage, {} as ServerResponse] as const;

describe('inTurnBatches', () => {
  it('hands the requests of one turn over together at its end, in arrival order, each exactly once', async () => {
    const seen: string[] = [];
    const listener = inTurnBatches((req) => seen.push(req.url!));
    listener(...request(1));
    listener(...request(2));
    listener(...request(3));
    expect(seen).toEqual([]);
    await turnEnd();
    expect(seen).toEqual(['/1', '/2', '/3']);
    // A later turn's requests are a batch of their own; nothing is handed over twice.
    listener(...request(4));
    await turnEnd();
    expect(seen).toEqual(['/1', '/2', '/3', '/4']);
  });

  it('a request arriving while a batch is handled waits for the next turn', async () => {
    const seen: string[] = [];
    const listener = inTurnBatches((req) => {
      seen.push(req.url!);
      if (req.url === '/1') listener(...request(2));
    });
    listener(...request(1));
    await turnEnd();
    expect(seen).toEqual(['/1']);
    await turnEnd();
    expect(seen).toEqual(['/1', '/2']);
  });
});
