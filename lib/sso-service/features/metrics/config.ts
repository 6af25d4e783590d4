/**
 * Whether metrics are exported, from OpenTelemetry's own variables: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (the full
 * URL) or OTEL_EXPORTER_OTLP_ENDPOINT (a base URL, `/v1/metrics` appended), as the OTLP exporter specification
 * reads them. Neither set, OTEL_SDK_DISABLED=true or OTEL_METRICS_EXPORTER=none: off. Only OTLP/HTTP with JSON
 * bodies is shipped (one exporter package, no protobuf or gRPC stack), so another OTEL_EXPORTER_OTLP_*PROTOCOL is
 * a configuration error rather than metrics silently sent in a form the collector was not told to expect.
 */
import { z } from 'zod';
import type { OtlpMetricsConfig } from './index';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const url = z.preprocess(blank, z.url({ protocol: /^https?$/ }).optional());
const protocol = z.preprocess(blank, z.literal('http/json', { error: 'only http/json is supported' }).optional());

const otelEnvSchema = z.object({
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: url,
  OTEL_EXPORTER_OTLP_ENDPOINT: url,
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_METRIC_EXPORT_INTERVAL: z.preprocess(blank, z.coerce.number().int().min(100).max(3_600_000).default(60_000)),
  OTEL_SDK_DISABLED: z.preprocess(blank, z.enum(['true', 'false']).optional()),
  OTEL_METRICS_EXPORTER: z.preprocess(blank, z.enum(['otlp', 'none']).optional()),
});

/** The environment's metrics export, or undefined (off); throws a ZodError naming the variable on bad values. */
export function otlpMetricsFromEnv(env: Readonly<Record<string, string | undefined>>): OtlpMetricsConfig | undefined {
  const e = otelEnvSchema.parse(env);
  if (e.OTEL_SDK_DISABLED === 'true' || e.OTEL_METRICS_EXPORTER === 'none') return undefined;
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT;
  const metricsUrl =
    e.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ??
    (base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/metrics`);
  return metricsUrl === undefined ? undefined : { url: metricsUrl, intervalMs: e.OTEL_METRIC_EXPORT_INTERVAL };
}
