/**
 * The sign-in activity page's filters (from the URL), and the CSV export. Pure functions: the page and the
 * export route share them, and a unit test covers the CSV's escaping.
 */
import { z } from 'zod';
import { EVENT_LIMITS, isSignInReason, type SignInEvent, type SignInEventQuery } from '@/lib/contract';
import { describeSignInReason } from './messages';

type Params = Record<string, string | string[] | undefined>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The form's values as typed (dates are UTC days, YYYY-MM-DD). */
export interface ActivityFilters {
  outcome: '' | 'success' | 'failure';
  email: string;
  connectionId: string;
  /** A reason code (SIGN_IN_REASONS); chosen from a list by its words. */
  reason: string;
  from: string;
  to: string;
}

const one = (v: string | string[] | undefined) => (typeof v === 'string' ? v.trim() : '');
const day = (v: string | string[] | undefined) => {
  const s = one(v);
  return DAY.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00.000Z`)) ? s : '';
};
const idSchema = z
  .string()
  .min(1)
  .max(EVENT_LIMITS.idFilterMax)
  .regex(/^[A-Za-z0-9_-]+$/);
const emailSchema = z.string().min(1).max(EVENT_LIMITS.emailFilterMax);

/** Filters from the URL; a value that does not fit is dropped (the form shows it empty). */
export function readActivityFilters(params: Params): ActivityFilters {
  const outcome = one(params.outcome);
  return {
    outcome: outcome === 'success' || outcome === 'failure' ? outcome : '',
    email: emailSchema.safeParse(one(params.email)).success ? one(params.email) : '',
    connectionId: idSchema.safeParse(one(params.connectionId)).success ? one(params.connectionId) : '',
    reason: isSignInReason(one(params.reason)) ? one(params.reason) : '',
    from: day(params.from),
    to: day(params.to),
  };
}

/** The API query for these filters (whole UTC days). */
export function activityQuery(f: ActivityFilters, extra: { cursor?: string; limit?: number } = {}): SignInEventQuery {
  return {
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.email ? { email: f.email } : {}),
    ...(f.connectionId ? { connectionId: f.connectionId } : {}),
    ...(f.reason ? { reason: f.reason } : {}),
    ...(f.from ? { from: `${f.from}T00:00:00.000Z` } : {}),
    ...(f.to ? { to: `${f.to}T23:59:59.999Z` } : {}),
    ...extra,
  };
}

/** The filters as a URL query string (for paging and the export link), without empty values. */
export function activitySearch(f: ActivityFilters, cursor?: string): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  if (cursor) q.set('cursor', cursor);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const CSV_COLUMNS = [
  'time',
  'outcome',
  'stage',
  'reason',
  'what happened',
  'email',
  'name',
  'sub',
  'connection',
  'started by',
  'idp error',
  'idp error description',
  'duration ms',
  'request id',
] as const;

/** One CSV field: quoted, quotes doubled, and a leading = + - @ tab or CR defused so a spreadsheet never runs it. */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function eventsToCsv(events: readonly SignInEvent[]): string {
  const rows = events.map((e) =>
    [
      e.createdAt,
      e.outcome,
      e.stage,
      e.reason,
      describeSignInReason(e.reason, e.trace)?.title ?? '',
      e.email,
      e.name,
      e.sub,
      e.connectionId,
      e.startedBy,
      e.idpError,
      e.idpErrorDescription,
      e.durationMs,
      e.requestId,
    ]
      .map(csvField)
      .join(','),
  );
  return `${[CSV_COLUMNS.map(csvField).join(','), ...rows].join('\r\n')}\r\n`;
}

/** A connection's sign-ins over a window: successes, and failures grouped by reason (in plain words), most first. */
export interface SignInSummary {
  successes: number;
  failures: Array<{ title: string; count: number }>;
  /** True when there were more attempts than one page holds: the counts are a lower bound. */
  partial: boolean;
}

export function summarizeSignIns(events: readonly SignInEvent[], partial = false): SignInSummary {
  let successes = 0;
  const failures = new Map<string, number>();
  for (const e of events) {
    if (e.outcome === 'success') {
      successes += 1;
      continue;
    }
    const title = describeSignInReason(e.reason, e.trace)?.title ?? 'The sign-in failed (no reason recorded)';
    failures.set(title, (failures.get(title) ?? 0) + 1);
  }
  return {
    successes,
    failures: [...failures]
      .map(([title, count]) => ({ title, count }))
      .sort((a, b) => b.count - a.count || a.title.localeCompare(b.title)),
    partial,
  };
}

/** The activity page's address filtered to one connection. */
export function connectionActivityHref(connectionId: string): string {
  return `/settings/sso/activity?connectionId=${encodeURIComponent(connectionId)}`;
}
