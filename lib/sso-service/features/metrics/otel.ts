/**
 * The OpenTelemetry SDK behind ServiceMetrics, loaded only when an OTLP endpoint is configured. A meter provider
 * of its own (not the global one), so an application embedding the service keeps its own OpenTelemetry setup,
 * and a periodic reader exporting over OTLP/HTTP with JSON bodies (`@opentelemetry/exporter-metrics-otlp-http`,
 * which also reads OTEL_EXPORTER_OTLP_HEADERS / OTEL_EXPORTER_OTLP_METRICS_HEADERS for a collector's credentials).
 */
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricsSources, OtlpMetricsConfig, ServiceMetrics } from './index';

/** Milliseconds: a callback is tens of ms when the IdP answers quickly, seconds when it does not. */
const SHUTDOWN_TIMEOUT_MS = 5000;

const DURATION_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000];

export function startOtlpMetrics(
  config: OtlpMetricsConfig,
  sources: MetricsSources,
  onError: (err: unknown) => void,
): ServiceMetrics {
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': process.env.OTEL_SERVICE_NAME || 'grantex-sso',
    }),
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: config.url }),
        exportIntervalMillis: config.intervalMs,
        exportTimeoutMillis: Math.min(30_000, config.intervalMs),
      }),
    ],
  });
  const meter = provider.getMeter('grantex-sso');
  const signIns = meter.createCounter('grantex.sso.sign_ins', {
    description: 'Sign-in attempts recorded, by outcome, the stage reached, protocol and who started them',
    unit: '{sign_in}',
  });
  const callbackDuration = meter.createHistogram('grantex.sso.callback.duration', {
    description: 'How long the sign-in callback took to answer (the IdP exchange included)',
    unit: 'ms',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_MS },
  });
  const deliveries = meter.createCounter('grantex.webhook.deliveries', {
    description: 'Webhook delivery attempts finished, by outcome (retrying: failed with retries left)',
    unit: '{delivery}',
  });
  const queueDepth = meter.createObservableGauge('grantex.webhook.queue_depth', {
    description: 'Pending webhook deliveries in the database (the same value from every process)',
    unit: '{delivery}',
  });
  queueDepth.addCallback(async (result) => {
    try {
      result.observe(await sources.webhookQueueDepth());
    } catch (err) {
      // No value this round rather than a failed export of everything else.
      onError(err);
    }
  });

  return {
    signIn(s) {
      signIns.add(1, { outcome: s.outcome, stage: s.stage, protocol: s.protocol, started_by: s.startedBy });
      callbackDuration.record(s.durationMs, { outcome: s.outcome, protocol: s.protocol });
    },
    webhookDeliveries(outcome, count) {
      if (count > 0) deliveries.add(count, { outcome });
    },
    async close() {
      // The last export, bounded: a collector that is down must not hold the service's shutdown for long.
      await provider.shutdown({ timeoutMillis: SHUTDOWN_TIMEOUT_MS }).catch(onError);
    },
  };
}
