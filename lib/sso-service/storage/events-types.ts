/**
 * The sign-in log and the audit trail as the storage seam sees them (domain types; rows are in events-rows.ts).
 * Written in batches by the event buffer (lib/sso-service/events), read page by page by the events API.
 */
import type {
  AuditAction,
  AuditActorKind,
  AuditTargetType,
  SignInOutcome,
  SignInStage,
  SignInStarter,
  SignInTrace,
} from '@/lib/contract';
import type { WebhookOutbox } from '../features/webhooks/store';

export interface SignInEventRecord {
  id: string;
  developerId: string;
  connectionId: string | null;
  protocol: string;
  startedBy: SignInStarter;
  outcome: SignInOutcome;
  stage: SignInStage;
  reason: string | null;
  idpError: string | null;
  idpErrorDescription: string | null;
  email: string | null;
  sub: string | null;
  name: string | null;
  durationMs: number;
  requestId: string;
  trace: SignInTrace;
  /** The member's address (behind the trusted proxies); sent only in the SIEM formats, never read back. */
  clientIp?: string | null;
  /** ISO-8601, UTC, milliseconds. */
  createdAt: string;
}

export interface AuditEventRecord {
  id: string;
  developerId: string;
  actorKind: AuditActorKind;
  /** API key id (a short prefix of its hash), setup link id, … ; null when the kind says it all. */
  actorId: string | null;
  actorLabel: string | null;
  action: AuditAction;
  targetType: AuditTargetType;
  targetId: string | null;
  /** Names only, never values. */
  changedFields: string[];
  /** The address the change came from (null: the service itself); sent only in the SIEM formats. */
  actorIp?: string | null;
  createdAt: string;
}

/** Newest first; the position after the last row of the previous page. */
export interface PageAfter {
  createdAt: string;
  id: string;
}

interface PageQuery {
  developerId: string;
  /** Inclusive bounds, ISO-8601. */
  from?: string;
  to?: string;
  after?: PageAfter;
  limit: number;
}

export interface SignInEventQuery extends PageQuery {
  connectionId?: string;
  outcome?: SignInOutcome;
  reason?: string;
  /** Compared without regard to case. */
  email?: string;
}

export interface AuditEventQuery extends PageQuery {
  targetId?: string;
  action?: AuditAction;
}

export interface SignInCount {
  bucket: string;
  connectionId: string | null;
  outcome: SignInOutcome;
  reason: string | null;
  count: number;
}

export interface LastSignIn {
  connectionId: string | null;
  outcome: SignInOutcome;
  createdAt: string;
}

export interface EventsAfterQuery {
  developerId: string;
  after?: PageAfter;
  until: string;
  outcomes?: readonly SignInOutcome[];
  actions?: readonly AuditAction[];
  limit: number;
}

export type StoredEvent = { kind: 'sign_in'; record: SignInEventRecord } | { kind: 'audit'; record: AuditEventRecord };

export interface EventStore {
  /**
   * One multi-row insert (no-op for an empty list). With `outbox` (the webhook events these records are
   * delivered as), the records and their pending deliveries are written in ONE transaction
   * (features/webhooks/store.ts `writeWebhookOutbox`): both are stored, or neither.
   */
  insertSignInEvents(events: readonly SignInEventRecord[], outbox?: WebhookOutbox): Promise<void>;
  insertAuditEvents(events: readonly AuditEventRecord[], outbox?: WebhookOutbox): Promise<void>;
  /** Newest first, at most `limit` rows. */
  listSignInEvents(query: SignInEventQuery): Promise<SignInEventRecord[]>;
  listAuditEvents(query: AuditEventQuery): Promise<AuditEventRecord[]>;
  /**
   * The org's sign-ins since `from` counted by `bucket` (the UTC hour or day, as the prefix of `createdAt`:
   * `2026-01-02T03` or `2026-01-02`), connection, outcome and reason.
   */
  countSignIns(query: { developerId: string; from: string; bucket: 'hour' | 'day' }): Promise<SignInCount[]>;
  /**
   * Both tables merged, OLDEST first by (createdAt, id) after `after` and up to `until` (inclusive), at most
   * `limit` rows: the event stream's source. `outcomes` / `actions` narrow each table (an empty list skips it).
   */
  listEventsAfter(query: EventsAfterQuery): Promise<StoredEvent[]>;
  /** The newest sign-in of each outcome per connection (any age the log keeps). */
  lastSignIns(developerId: string): Promise<LastSignIn[]>;
  /**
   * Deletes sign-in and audit events created before `beforeIso`, at most `batch` rows of each per call (so one
   * call never holds the database for long); returns how many rows it deleted.
   */
  purgeEventsBefore(beforeIso: string, batch: number): Promise<number>;
}
