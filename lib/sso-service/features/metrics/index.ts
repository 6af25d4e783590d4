/**
 * The service's OpenTelemetry metrics (docs/METRICS.md): sign-ins by outcome, stage and protocol, the callback's
 * duration, webhook deliveries by outcome, and the webhook queue's depth, exported over OTLP/HTTP (JSON) when an
 * OTLP endpoint is configured. Off by default, and then free: the instruments are no-op functions and the SDK is
 * never loaded (otel.ts is imported only when metrics are on).
 */
import type { SignInOutcome, SignInStage, SignInStarter } from '@/lib/contract';

/** What one recorded sign-in tells the metrics (never its org, identity or reason text: bounded attributes only). */
export interface SignInSample {
  outcome: SignInOutcome;
  stage: SignInStage;
  protocol: string;
  startedBy: SignInStarter;
  /** The callback request's duration. */
  durationMs: number;
}

export type WebhookDeliveryOutcome = 'succeeded' | 'retrying' | 'failed';

export interface ServiceMetrics {
  signIn(sample: SignInSample): void;
  /** `count` deliveries (rows) finished one attempt with that outcome. */
  webhookDeliveries(outcome: WebhookDeliveryOutcome, count: number): void;
  /** Exports what is left and stops the exporter. */
  close(): Promise<void>;
}

export const NO_METRICS: ServiceMetrics = {
  signIn() {},
  webhookDeliveries() {},
  close: () => Promise.resolve(),
};

export interface OtlpMetricsConfig {
  /** The OTLP/HTTP metrics URL (…/v1/metrics). */
  url: string;
  /** How often metrics are exported (OTEL_METRIC_EXPORT_INTERVAL, default 60 s). */
  intervalMs: number;
}

export interface MetricsSources {
  /** Pending webhook deliveries (the outbox), read when metrics are collected. */
  webhookQueueDepth(): Promise<number>;
}

/** Starts the exporter when configured; without a configuration nothing is loaded. */
export async function startMetrics(
  config: OtlpMetricsConfig | undefined,
  sources: MetricsSources,
  onError: (err: unknown) => void,
): Promise<ServiceMetrics> {
  if (!config) return NO_METRICS;
  const { startOtlpMetrics } = await import('./otel');
  return startOtlpMetrics(config, sources, onError);
}
