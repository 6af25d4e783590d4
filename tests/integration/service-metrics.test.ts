/**
 * OpenTelemetry metrics through the real service: a loopback OTLP/HTTP receiver (JSON bodies, the protocol the
 * service ships) gets the sign-in counter and callback histogram after a real sign-in, the webhook delivery
 * counter after a real delivery, and the queue depth gauge. The configuration from OpenTelemetry's variables:
 * off without an endpoint (and then the SDK is never loaded), on with either endpoint variable.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ssoLoginResponseSchema, webhookWithSecretSchema } from '@/lib/contract';
import { loadServiceConfig, ServiceConfigError } from '@/lib/sso-service/config';
import { startReceiver, waitFor } from '@/tests/support/webhook-receiver';
import { authed, saveConfig, signup, startTestService, TEST_KEYS } from './service-harness';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(
    cleanups
      .splice(0)
      .reverse()
      .map((c) => c()),
  );
});

type Attr = { key: string; value: { stringValue?: string; intValue?: string | number } };
interface DataPoint {
  attributes?: Attr[];
  asInt?: string | number;
  asDouble?: number;
  count?: string | number;
  sum?: number;
}
interface Metric {
  name: string;
  unit?: string;
  sum?: { dataPoints: DataPoint[] };
  gauge?: { dataPoints: DataPoint[] };
  histogram?: { dataPoints: DataPoint[] };
}
interface ExportRequest {
  resourceMetrics: { resource?: { attributes?: Attr[] }; scopeMetrics: { metrics: Metric[] }[] }[];
}

/** A collector's OTLP/HTTP metrics endpoint on loopback: keeps every JSON export request. */
async function startCollector() {
  const requests: { contentType: string; body: ExportRequest }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/metrics') {
        requests.push({
          contentType: req.headers['content-type'] ?? '',
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest,
        });
      }
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { base: `http://127.0.0.1:${port}`, requests };
}

/** A counter's or gauge's value, sent as asInt or asDouble by the instrument's value type. */
const valueOf = (p: DataPoint) => Number(p.asInt ?? p.asDouble);

const attrs = (p: DataPoint) =>
  Object.fromEntries((p.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? a.value.intValue]));

/** The newest data points of a metric across everything exported so far. */
function pointsOf(requests: { body: ExportRequest }[], name: string): { metric: Metric; points: DataPoint[] } | null {
  for (const r of [...requests].reverse()) {
    for (const rm of r.body.resourceMetrics) {
      for (const sm of rm.scopeMetrics) {
        const metric = sm.metrics.find((m) => m.name === name);
        if (metric) {
          const points = (metric.sum ?? metric.gauge ?? metric.histogram)?.dataPoints ?? [];
          return { metric, points };
        }
      }
    }
  }
  return null;
}

describe('OpenTelemetry metrics', () => {
  it('a sign-in and a webhook delivery through the real service reach an OTLP/HTTP JSON receiver', async () => {
    const collector = await startCollector();
    const svc = await startTestService({
      logLevel: 'warn',
      ...TEST_KEYS,
      eventBuffer: { flushMs: 20 },
      webhooks: { pollMs: 20, jitter: 0, timeoutMs: 1000 },
      otlpMetrics: { url: `${collector.base}/v1/metrics`, intervalMs: 200 },
    });
    cleanups.push(() => svc.close());
    const org = await signup(svc.url);
    const rx = await startReceiver();
    cleanups.push(() => rx.close());
    const created = await fetch(
      `${svc.url}/v1/webhooks`,
      authed(org.apiKey, { method: 'POST', body: JSON.stringify({ url: rx.url, events: ['sso.login'] }) }),
    );
    webhookWithSecretSchema.parse(await created.json());
    expect((await saveConfig(svc.url, org.apiKey)).status).toBe(201);
    const login = ssoLoginResponseSchema.parse(
      await (await fetch(`${svc.url}/sso/login?org=${org.developerId}`)).json(),
    );
    const state = new URL(login.authorizeUrl).searchParams.get('state') ?? '';
    expect((await fetch(`${svc.url}/sso/callback?code=c-1&state=${encodeURIComponent(state)}`)).status).toBe(200);
    await waitFor(() => rx.received.length >= 1, 5_000, 'the webhook delivery');

    const signIns = await waitFor(
      () => {
        const found = pointsOf(collector.requests, 'grantex.sso.sign_ins');
        return found?.points.find((p) => attrs(p).outcome === 'success') && found;
      },
      10_000,
      'the sign-in counter',
    );
    expect(signIns.points.map(attrs)).toContainEqual({
      outcome: 'success',
      stage: 'complete',
      protocol: 'oidc',
      started_by: 'member',
    });
    expect(valueOf(signIns.points.find((p) => attrs(p).outcome === 'success')!)).toBe(1);
    expect(collector.requests[0]!.contentType).toMatch(/^application\/json/);

    const duration = pointsOf(collector.requests, 'grantex.sso.callback.duration');
    expect(duration?.metric.unit).toBe('ms');
    const hist = duration!.points.find((p) => attrs(p).outcome === 'success')!;
    expect(Number(hist.count)).toBe(1);
    expect(hist.sum).toBeGreaterThan(0);

    const delivered = await waitFor(
      () => {
        const found = pointsOf(collector.requests, 'grantex.webhook.deliveries');
        return found?.points.find((p) => attrs(p).outcome === 'succeeded');
      },
      10_000,
      'the delivery counter',
    );
    expect(valueOf(delivered)).toBe(1);
    const depth = await waitFor(
      () => pointsOf(collector.requests, 'grantex.webhook.queue_depth') ?? false,
      10_000,
      'the gauge',
    );
    expect(depth.points).toHaveLength(1);
    expect(valueOf(depth.points[0]!)).toBeGreaterThanOrEqual(0);

    // Nothing that names an org or a person in any metric.
    const text = JSON.stringify(collector.requests);
    expect(text).not.toContain(org.developerId);
    expect(text).not.toContain('user@example.com');
  });

  it('is configured by the OTEL_* variables: off without an endpoint, http/json only', () => {
    expect(loadServiceConfig({}).otlpMetrics).toBeUndefined();
    expect(loadServiceConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otlpMetrics).toEqual({
      url: 'http://collector:4318/v1/metrics',
      intervalMs: 60_000,
    });
    expect(
      loadServiceConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://metrics.example/otlp/metrics',
        OTEL_METRIC_EXPORT_INTERVAL: '15000',
      }).otlpMetrics,
    ).toEqual({ url: 'https://metrics.example/otlp/metrics', intervalMs: 15_000 });
    expect(
      loadServiceConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })
        .otlpMetrics,
    ).toBeUndefined();
    expect(() =>
      loadServiceConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).toThrow(ServiceConfigError);
  });

  // Two fresh processes compile and start the service: slow on a busy machine.
  it('without an endpoint the OpenTelemetry SDK is never loaded', { timeout: 120_000 }, () => {
    // A fresh process starts the service without OTEL_* and lists the modules it resolved.
    const script = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.push(r.url); return r; } });
      const { startSsoService } = await import('./lib/sso-service/index.ts');
      const dir = (await import('node:fs')).mkdtempSync((await import('node:os')).tmpdir() + '/gx-metrics-');
      const svc = await startSsoService({ host: '127.0.0.1', port: 0, devMode: true, dataDir: dir, logLevel: 'silent',
        stateSecret: 's'.repeat(43), encryptionKey: Buffer.alloc(32, 7).toString('base64url') });
      await svc.close();
      console.log(JSON.stringify({ otel: seen.filter((u) => u.includes('@opentelemetry')).length, total: seen.length }));
    `;
    const run = (otel: Record<string, string>) => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '' };
      for (const k of Object.keys(env)) if (k.startsWith('OTEL_')) delete env[k];
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...env, ...otel },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(child.status, child.stderr).toBe(0);
      return JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { otel: number; total: number };
    };
    const off = run({});
    expect(off.total).toBeGreaterThan(50);
    expect(off.otel).toBe(0);
    // The control: the same start with an endpoint (a closed loopback port) loads it.
    expect(run({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }).otel).toBeGreaterThan(0);
  });
});
