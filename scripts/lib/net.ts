/** Port checks and readiness probes for the orchestrators. */
import { createServer } from 'node:net';
import type { Part } from './supervisor';

export interface PortClaim {
  label: string;
  port: number;
  /** Host the part will bind; undefined = all interfaces, as `next` does. */
  host?: string;
  /** The variable that moves this part elsewhere, for the error message. */
  envVar: string;
}

function isFree({ port, host }: PortClaim): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Returns one human message per taken port (empty when all are free). */
export async function takenPorts(claims: PortClaim[]): Promise<string[]> {
  const problems: string[] = [];
  for (const claim of claims) {
    if (await isFree(claim)) continue;
    problems.push(
      `Port ${claim.port} (${claim.label}) is already in use. Stop what is using it ` +
        `(\`ss -ltnp 'sport = :${claim.port}'\` shows it) or pick another port, e.g. ${claim.envVar}=${claim.port + 100}.`,
    );
  }
  return problems;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `url` until it answers at all (any status: a 404 still proves the server listens),
 * or until `okOnly` and a 2xx arrives. Fails early if the part's process exits.
 */
export async function waitForHttp(
  url: string,
  part: Part,
  { timeoutMs = 60_000, okOnly = false }: { timeoutMs?: number; okOnly?: boolean } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  part.child.once('exit', () => (exited = true));
  for (;;) {
    if (exited || part.child.exitCode !== null) throw new Error(`${part.name} exited before it was ready`);
    try {
      // Generous per-request timeout: `next dev` compiles the first page it serves.
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
      await res.body?.cancel();
      if (!okOnly || res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${part.name} did not answer at ${url} within ${timeoutMs / 1000}s`);
    await sleep(250);
  }
}
