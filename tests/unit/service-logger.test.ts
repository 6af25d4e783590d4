import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const LOGGER = path.resolve('lib/sso-service/http/logger.ts');

/** Runs `body` in a fresh Node process (the logger's stdout is the real fd 1 there) and collects its stdout. */
function run(body: string, onLine?: (line: string, kill: () => void) => void): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gx-logger-'));
  const file = path.join(dir, 'main.ts');
  writeFileSync(file, `import { createServiceLogger } from ${JSON.stringify(LOGGER)};\n${body}\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      onLine?.(line, () => child.kill('SIGTERM'));
    }
  });
  return new Promise((resolve) => child.once('close', () => resolve(lines)));
}

describe('service logger on stdout (asynchronous, buffered)', () => {
  it('every line of a burst is written, in order, when the process exits right after it', async () => {
    const lines = await run(
      "const log = createServiceLogger('info');\n" +
        "for (let i = 0; i < 500; i++) log.log('info', { msg: 'burst', i });\n" +
        'process.exit(0);',
    );
    expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('a lone line is written within the flush interval while the process keeps running', async () => {
    let seenAfterMs = Number.NaN;
    const started = Date.now();
    const lines = await run(
      "createServiceLogger('warn').log('error', { msg: 'alone' });\nsetTimeout(() => {}, 10_000);",
      (line, kill) => {
        if (line.includes('alone')) {
          seenAfterMs = Date.now() - started;
          kill();
        }
      },
    );
    expect(lines).toHaveLength(1);
    // Process start-up (tsx) included; the process would otherwise run 10 s.
    expect(seenAfterMs).toBeLessThan(8_000);
  });
});
