/**
 * Child-process entry for the dev IdP and the embedded service, started by scripts/lib/stack-runner.ts.
 * It reports readiness (and the dev IdP's seeded client and users, for the banner) over the IPC channel,
 * and shuts down when that channel closes, so a crashed or SIGKILLed orchestrator leaves no stray listener.
 *
 *   node --import tsx scripts/lib/run-part.ts idp '{"port":3002,"host":"127.0.0.1",...}'
 *   node --import tsx scripts/lib/run-part.ts service '{}'
 */
const [kind, rawOptions = '{}'] = process.argv.slice(2);

async function main(): Promise<void> {
  if (!process.send)
    throw new Error(
      'run-part.ts must be started with an IPC channel (use npm run dev-idp / grantex directly otherwise)',
    );
  const options = JSON.parse(rawOptions) as Record<string, unknown>;

  let close: () => Promise<void>;
  let ready: Record<string, unknown>;
  if (kind === 'idp') {
    const { startDevIdp } = await import('@/lib/dev-idp');
    const idp = await startDevIdp(options as Parameters<typeof startDevIdp>[0]);
    close = idp.close;
    ready = { issuer: idp.issuer, client: idp.client, users: idp.users };
  } else if (kind === 'service') {
    const { startSsoService } = await import('@/lib/sso-service');
    const service = await startSsoService(options as Parameters<typeof startSsoService>[0]);
    close = service.close;
    ready = { url: service.url };
  } else {
    throw new Error(`unknown part "${kind}" (expected idp or service)`);
  }

  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    // Bounded: a hung keep-alive connection must not keep the port after the orchestrator gave up.
    const force = setTimeout(() => process.exit(0), 3000);
    force.unref();
    close()
      .catch((err: unknown) => console.error(`error while closing ${kind}:`, err))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('disconnect', shutdown);
  process.send({ ready: true, ...ready });
}

main().catch((err: unknown) => {
  // Configuration errors already say what to change (and never include a value): no stack for them.
  if (err instanceof Error && err.name.endsWith('ConfigError')) console.error(`${kind}: ${err.message}`);
  else console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
