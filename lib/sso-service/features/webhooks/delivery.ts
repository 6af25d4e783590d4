/**
 * The delivery worker: runs in every service process, off the request path. Each tick claims due deliveries
 * (a lease in the database, so several processes on PostgreSQL never send one claim twice, and a process killed
 * mid-delivery leaves rows that fall due again when their lease ends), POSTs each through the outbound guard,
 * and records the attempt under its lease. A failure is retried after the next interval of the retry schedule
 * (WEBHOOK_RETRY_SCHEDULE, seconds; ±20 % jitter so a receiver's recovery is not met by every retry at once);
 * once the schedule is exhausted the delivery is `failed`, and an endpoint whose deliveries fail that way
 * `disableAfter` times in a row is disabled (`disabledReason: delivery_failures`, shown to admins).
 *
 * At least once: a delivery whose result could not be recorded (the process died after the receiver answered)
 * is sent again after its lease; receivers deduplicate by `webhook-id` (the event id). No order is promised
 * between events, even for one endpoint: deliveries are claimed oldest first, but retries and parallel
 * processes interleave them (each body carries `createdAt`).
 *
 * An endpoint in a SIEM format (`ocsf`, `ecs`) gets the deliveries of one claim as batches: one POST per endpoint
 * and attempt count, the rows' lines joined as newline-delimited JSON (`application/x-ndjson`), signed like any
 * body with a batch id as `webhook-id` (derived from the events it carries, so the same batch retried has the same
 * id). The batch succeeds or fails as a whole; its rows share one retry time, so they are claimed together again,
 * and its final failure counts once against the endpoint.
 */
import { createHash } from 'node:crypto';
import { findOutboundError, guardedFetch, type OutboundErrorKind } from '@/lib/net';
import type { ServiceContext } from '../../context';
import { describeError } from '../../http/describe-error';
import { webhookSecretAad } from './service';
import { signDelivery } from './signing';
import type { ClaimedWebhookDelivery } from './store';

/** About a day across ten retries. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200];

export interface WebhookWorkerOptions {
  /** How often the worker looks for due deliveries (default 1 s). */
  pollMs?: number;
  /** Per-attempt limit: connect, headers and body (default 10 s). */
  timeoutMs?: number;
  /** How long a claim holds a delivery; longer than one attempt can take (default timeout + 30 s). */
  leaseMs?: number;
  /** Deliveries claimed per tick (default 20), sent concurrently. */
  batch?: number;
  /** Exhausted schedules in a row that disable an endpoint (default 5). */
  disableAfter?: number;
  /** Jitter fraction around each retry interval (default 0.2; tests pass 0). */
  jitter?: number;
}

type Deps = Pick<ServiceContext, 'store' | 'secretBox' | 'logger' | 'now' | 'config' | 'audit'> & {
  metrics?: Pick<ServiceContext['metrics'], 'webhookDeliveries'>;
};

export interface WebhookWorker {
  /** Runs one tick now (tests); resolves when its deliveries are recorded. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the tick in progress (its attempts finish, each within the per-attempt timeout). */
  close(): Promise<void>;
}

/** What the delivery log keeps of a failed attempt: the kind of failure, never the receiver's body. */
const FAILURE_TEXT: Record<OutboundErrorKind, string> = {
  timeout: 'timed out',
  blocked_address: 'refused: the URL resolves to a private or loopback address',
  network: 'could not connect',
  too_large: 'the answer was too large',
  bad_url: 'invalid URL',
};
function describeFailure(err: unknown): string {
  const outbound = findOutboundError(err);
  return outbound ? FAILURE_TEXT[outbound.kind] : 'delivery failed';
}

export function startWebhookWorker(deps: Deps, opts: WebhookWorkerOptions = {}): WebhookWorker {
  const pollMs = opts.pollMs ?? 1000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const leaseMs = opts.leaseMs ?? timeoutMs + 30_000;
  const batch = opts.batch ?? 20;
  const disableAfter = opts.disableAfter ?? 5;
  const jitter = opts.jitter ?? 0.2;
  const schedule = deps.config.webhookRetrySchedule ?? DEFAULT_WEBHOOK_RETRY_SCHEDULE;
  const stop = new AbortController();

  const secretsOf = (d: ClaimedWebhookDelivery, nowMs: number): [string, ...string[]] => {
    const aad = webhookSecretAad(d.endpoint.id);
    const secrets: [string, ...string[]] = [deps.secretBox.open(d.endpoint.secretSealed, aad)];
    const { previousSecretSealed, previousSecretExpiresAt } = d.endpoint;
    if (previousSecretSealed && previousSecretExpiresAt && Date.parse(previousSecretExpiresAt) > nowMs) {
      secrets.push(deps.secretBox.open(previousSecretSealed, aad));
    }
    return secrets;
  };

  /** One POST: a single delivery (the Grantex format), or a batch of one endpoint's rows in a SIEM format. */
  const attempt = async (batchOf: readonly ClaimedWebhookDelivery[]) => {
    const d = batchOf[0]!;
    const { endpoint } = d;
    const ndjson = d.format !== 'grantex';
    const body = ndjson ? batchOf.map((b) => `${b.body}\n`).join('') : d.body;
    const webhookId = ndjson ? batchId(batchOf) : d.eventId;
    const startedAt = deps.now();
    let ok = false;
    let responseStatus: number | null = null;
    let error: string | null = null;
    try {
      const headers = signDelivery({
        eventId: webhookId,
        body,
        timestampSec: Math.floor(startedAt / 1000),
        secrets: secretsOf(d, startedAt),
      });
      const res = await guardedFetch(
        endpoint.url,
        {
          method: 'POST',
          headers: {
            'content-type': ndjson ? 'application/x-ndjson' : 'application/json',
            'user-agent': 'Grantex-Webhooks/1',
            ...headers,
          },
          body,
        },
        { allowLoopback: deps.config.devMode, timeoutMs, maxBytes: 64 * 1024 },
      );
      responseStatus = res.status;
      ok = res.status >= 200 && res.status < 300;
      if (!ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = describeFailure(err);
    }
    const finishedAt = deps.now();
    const attemptsSoFar = d.attempts + 1;
    const interval = schedule[attemptsSoFar - 1];
    const nextAttemptAtMs =
      ok || interval === undefined
        ? null
        : finishedAt + Math.round(interval * 1000 * (1 + jitter * (Math.random() * 2 - 1)));
    const { recorded, disabled } = await deps.store.completeWebhookAttempts(
      batchOf.map((b) => b.id),
      d.leaseUntilMs,
      {
        ok,
        responseStatus,
        durationMs: Math.max(0, finishedAt - startedAt),
        error,
        attemptAt: new Date(startedAt).toISOString(),
        nextAttemptAtMs,
        disableAfter,
      },
    );
    deps.metrics?.webhookDeliveries(ok ? 'succeeded' : nextAttemptAtMs === null ? 'failed' : 'retrying', recorded);
    if (recorded < batchOf.length) {
      deps.logger.log('warn', { msg: 'webhook attempt outlived its lease', deliveryId: d.id });
    } else if (!ok && nextAttemptAtMs === null) {
      deps.logger.log('warn', { msg: 'webhook delivery failed for good', deliveryId: d.id, endpointId: d.endpointId });
    }
    if (disabled) {
      deps.audit.record({
        developerId: endpoint.developerId,
        actor: { kind: 'system', id: null, label: null },
        action: 'webhook.disabled',
        target: { type: 'webhook', id: endpoint.id },
        changedFields: ['enabled'],
      });
    }
  };

  const tick = async (): Promise<number> => {
    if (!(await deps.store.hasDueWebhookDeliveries(deps.now()))) return 0;
    const claimed = await deps.store.claimWebhookDeliveries(deps.now(), leaseMs, batch);
    await Promise.all(groupForSending(claimed).map(attempt));
    return claimed.length;
  };

  let running: Promise<number> | null = null;
  const runOnce = () => {
    running ??= tick()
      .catch((err: unknown) => {
        deps.logger.log('error', { msg: 'webhook delivery run failed', err: describeError(err) });
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const loop = async () => {
    while (!stop.signal.aborted) {
      // A full batch means more may be due: go again at once.
      const n = await runOnce();
      if (stop.signal.aborted) break;
      if (n < batch) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pollMs);
          t.unref();
          stop.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
        });
      }
    }
  };
  const looping = loop();

  return {
    runOnce,
    async close() {
      stop.abort();
      await running;
      await looping;
    },
  };
}

/**
 * The claim's POSTs: each Grantex-format delivery alone; a SIEM endpoint's rows together, per attempt count (so
 * a batch's rows share one retry schedule), oldest first.
 */
function groupForSending(claimed: readonly ClaimedWebhookDelivery[]): ClaimedWebhookDelivery[][] {
  const out: ClaimedWebhookDelivery[][] = [];
  const batches = new Map<string, ClaimedWebhookDelivery[]>();
  for (const d of claimed) {
    if (d.format === 'grantex') {
      out.push([d]);
      continue;
    }
    const key = `${d.endpointId}/${d.format}/${d.attempts}`;
    let batchOf = batches.get(key);
    if (!batchOf) {
      batchOf = [];
      batches.set(key, batchOf);
      out.push(batchOf);
    }
    batchOf.push(d);
  }
  return out;
}

/** A batch's `webhook-id`: the same for the same events (a retry of the whole batch), whatever their order. */
function batchId(batchOf: readonly ClaimedWebhookDelivery[]): string {
  const ids = batchOf.map((b) => b.eventId).sort();
  return `bat_${createHash('sha256').update(ids.join(',')).digest('base64url').slice(0, 32)}`;
}
