/**
 * IdP metadata refreshed from its URL: IdPs such as AD FS rotate their signing certificate on a schedule and
 * publish the next one in their metadata before they switch, so a SAML connection created from a metadata URL
 * fetches it again every GRANTEX_SAML_METADATA_REFRESH_MINUTES (default 12 h, each connection's turn jittered
 * ±10 %) and on the admin's "refresh now" (`POST /v1/sso/connections/:id/metadata/refresh`).
 *
 * What a refresh applies (mergeCertificates):
 * - **certificates**: a valid signing certificate the metadata lists and the connection lacks is added while the
 *   connection has room (it keeps at most two, the model's limit: both verify, so the switch is seamless); a stored
 *   certificate goes only when the metadata no longer lists it (or it has expired) AND a newer valid certificate
 *   the metadata lists is present. More valid certificates than there is room for: the stored ones still listed
 *   are kept (they are the ones in use), the newest others fill the room, and `certificates_over_limit` is noted
 *   (the next refresh adds the rest once the IdP drops an old one). No valid certificate listed: nothing changes
 *   (`no_valid_certificate`).
 * - **SSO URL**: applied when it passes the same URL rules as a save (else `sso_url_refused`): whoever serves the
 *   metadata already decides the certificates, so the URL adds no trust of its own.
 * - **entity ID**: never applied. A different entity ID is a different IdP: applying it would let whoever
 *   controls the URL re-point the connection (and detach its members, who are keyed by it). The refresh then
 *   applies nothing and notes `entity_id_changed` for the admin, who can save the connection from its metadata.
 * - **a failed fetch or read** changes nothing, never drops a certificate, and is recorded as the last result
 *   (shown on the connection's page); it is retried within the hour.
 *
 * Every change is written with the connections API's compare-and-set on `updatedAt` (an admin's concurrent save
 * is never overwritten) and audited as `connection.updated` by the system actor, naming the changed fields.
 *
 * Several processes: each run lists the due connections and claims each one with a compare-and-set on its
 * `next_due_at` (metadata-refresh-store.ts), so exactly one process fetches a given connection's metadata. A
 * connection never refreshed is first due one interval after its last save (the save read the metadata).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { checkSsoUrlIssue, type MetadataRefreshWarning } from '@/lib/contract';
import { fetchIdpMetadata } from '../../protocols/saml';
import { certificateInfo, isSamlError, type IdpMetadata } from '../../saml';
import type { ServiceStore } from '../../storage';
import type { MetadataRefreshOutcome, SamlConnection } from '../../storage/types';
import type { AuditActor, AuditRecorder } from '../events/recorder';

/** The audit actor of the refresh. */
export const METADATA_REFRESH_ACTOR = { kind: 'system', id: null, label: 'IdP metadata refresh' } as const;
export const DEFAULT_METADATA_REFRESH_MINUTES = 720;
/** A connection keeps at most this many IdP certificates (the model's limit). */
const MAX_CERTIFICATES = 2;
/** A failed refresh is tried again this soon (or at the interval, if that is shorter). */
const FAILURE_RETRY_MS = 60 * 60_000;
const CHUNK = 50;
const MAX_CHUNKS = 20;

export interface CertificateMerge {
  certificates: string[];
  added: string[];
  removed: string[];
  /** More valid certificates are listed than there was room for. */
  overLimit: boolean;
  /** The metadata lists no certificate that is still valid (nothing changed). */
  noValid: boolean;
}

/** The connection's certificates after a refresh that read `listed` from the metadata (see the module comment). */
export function mergeCertificates(current: readonly string[], listed: readonly string[], now: Date): CertificateMerge {
  const infos = new Map([...current, ...listed].map((pem) => [pem, certificateInfo(pem)] as const));
  const info = (pem: string) => infos.get(pem)!;
  const valid = listed.filter((pem) => info(pem).status(now) !== 'expired');
  if (valid.length === 0)
    return { certificates: [...current], added: [], removed: [], overLimit: false, noValid: true };
  const newer = (a: string, b: string) =>
    info(a).notBefore.getTime() > info(b).notBefore.getTime() ||
    (info(a).notBefore.getTime() === info(b).notBefore.getTime() &&
      info(a).notAfter.getTime() > info(b).notAfter.getTime());
  // A stored certificate the metadata no longer lists (or that expired) goes only once a newer listed one is there.
  const kept = current.filter((pem) => valid.includes(pem) || !valid.some((l) => newer(l, pem)));
  const candidates = valid.filter((pem) => !kept.includes(pem)).sort((a, b) => (newer(a, b) ? -1 : 1));
  const added = candidates.slice(0, Math.max(0, MAX_CERTIFICATES - kept.length));
  return {
    certificates: [...kept, ...added],
    added,
    removed: current.filter((pem) => !kept.includes(pem)),
    overLimit: candidates.length > added.length,
    noValid: false,
  };
}

export interface MetadataRefreshDeps {
  store: Pick<
    ServiceStore,
    'listMetadataRefreshDue' | 'claimMetadataRefresh' | 'recordMetadataRefresh' | 'getConnection' | 'replaceConnection'
  >;
  audit: AuditRecorder;
  now: () => number;
  /** Loopback metadata URLs are fetched only in development. */
  devMode: boolean;
  intervalMs: number;
  /** Aborted when the service closes: a run stops before its next connection. */
  signal?: AbortSignal;
}

export interface MetadataRefreshResult {
  result: MetadataRefreshOutcome['result'];
  changedFields: string[];
  /** The connection after the refresh. */
  connection: SamlConnection;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** ±10 %, so connections created together do not all refresh together. */
export const jittered = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.2));
/** The claim's next due time: a full interval (a failure shortens it when recorded). */
export const nextDueAfter = (nowMs: number, intervalMs: number) => iso(nowMs + jittered(intervalMs));

/** A later time than `previous`, so the write moves updatedAt forward (the compare-and-set relies on it). */
const nextStamp = (now: number, previous: string) => iso(Math.max(now, Date.parse(previous) + 1));

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((pem, i) => pem === b[i]);

/** What the metadata changes on `connection` (nothing when it names another entity). */
function plan(deps: Pick<MetadataRefreshDeps, 'devMode' | 'now'>, connection: SamlConnection, metadata: IdpMetadata) {
  const warnings: MetadataRefreshWarning[] = [];
  const current = connection.saml;
  if (metadata.entityId !== current.idpEntityId) {
    warnings.push('entity_id_changed');
    return { warnings, changedFields: [] as string[], saml: current };
  }
  const merge = mergeCertificates(current.idpCertificates, metadata.certificates, new Date(deps.now()));
  if (merge.noValid) warnings.push('no_valid_certificate');
  if (merge.overLimit) warnings.push('certificates_over_limit');
  let idpSsoUrl = current.idpSsoUrl;
  if (metadata.ssoRedirectUrl !== current.idpSsoUrl) {
    if (checkSsoUrlIssue(metadata.ssoRedirectUrl, 'redirectUri', { devMode: deps.devMode }))
      warnings.push('sso_url_refused');
    else idpSsoUrl = metadata.ssoRedirectUrl;
  }
  const changedFields = [
    ...(sameList(merge.certificates, current.idpCertificates) ? [] : ['idpCertificates']),
    ...(idpSsoUrl === current.idpSsoUrl ? [] : ['idpSsoUrl']),
  ];
  return { warnings, changedFields, saml: { ...current, idpCertificates: merge.certificates, idpSsoUrl } };
}

/**
 * One refresh of a claimed connection: fetch, apply what may be applied, audit, record the outcome. A fetch or
 * read failure is recorded and returned as `failed`; the connection is left as it was.
 */
export async function refreshConnectionMetadata(
  deps: MetadataRefreshDeps,
  connection: SamlConnection,
  /** Who asked ("refresh now": the admin's key or setup session); the scheduled refresh is the system. */
  actor: AuditActor = METADATA_REFRESH_ACTOR,
): Promise<MetadataRefreshResult> {
  const url = connection.saml.idpMetadataUrl;
  if (url === null) throw new Error('the connection has no IdP metadata URL');
  const at = iso(deps.now());
  let metadata: IdpMetadata;
  try {
    metadata = await fetchIdpMetadata(url, deps.devMode);
  } catch (err) {
    if (!isSamlError(err)) throw err;
    await deps.store.recordMetadataRefresh(connection.id, {
      result: 'failed',
      at,
      error: err.reason,
      warnings: [],
      nextDueAt: iso(deps.now() + jittered(Math.min(FAILURE_RETRY_MS, deps.intervalMs))),
    });
    return { result: 'failed', changedFields: [], connection };
  }

  let current = connection;
  // The admin may save the connection meanwhile: plan again on what is stored, a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const { warnings, changedFields, saml } = plan(deps, current, metadata);
    let saved: SamlConnection | undefined = current;
    if (changedFields.length > 0) {
      const written = await deps.store.replaceConnection(
        { ...current, saml, updatedAt: nextStamp(deps.now(), current.updatedAt) },
        current.updatedAt,
      );
      saved = written?.protocol === 'saml' ? written : undefined;
    }
    if (saved) {
      if (changedFields.length > 0)
        deps.audit.record({
          developerId: saved.developerId,
          actor,
          action: 'connection.updated',
          target: { type: 'connection', id: saved.id },
          changedFields,
        });
      const result = changedFields.length > 0 ? 'updated' : 'unchanged';
      await deps.store.recordMetadataRefresh(saved.id, { result, at, error: null, warnings });
      return { result, changedFields, connection: saved };
    }
    const reread = await deps.store.getConnection(current.developerId, current.id);
    if (reread?.protocol !== 'saml' || reread.saml.idpMetadataUrl === null) break;
    current = reread;
  }
  // Deleted, switched off metadata, or changed on every attempt: the next turn reads it again.
  return { result: 'unchanged', changedFields: [], connection: current };
}

export interface MetadataRefreshSummary {
  refreshed: number;
  updated: number;
  failed: number;
}

/** One background run: every due connection this process manages to claim is refreshed. */
export async function refreshDueMetadata(deps: MetadataRefreshDeps): Promise<MetadataRefreshSummary> {
  const summary: MetadataRefreshSummary = { refreshed: 0, updated: 0, failed: 0 };
  for (let i = 0; i < MAX_CHUNKS && !deps.signal?.aborted; i++) {
    const due = await deps.store.listMetadataRefreshDue(iso(deps.now()), iso(deps.now() - deps.intervalMs), CHUNK);
    for (const { connectionId, developerId } of due) {
      if (deps.signal?.aborted) break;
      const now = deps.now();
      const claimed = await deps.store.claimMetadataRefresh({
        connectionId,
        developerId,
        nowIso: iso(now),
        nextDueIso: nextDueAfter(now, deps.intervalMs),
      });
      if (!claimed) continue;
      const connection = await deps.store.getConnection(developerId, connectionId);
      if (connection?.protocol !== 'saml' || connection.saml.idpMetadataUrl === null) continue;
      summary.refreshed++;
      try {
        const { result } = await refreshConnectionMetadata(deps, connection);
        if (result === 'updated') summary.updated++;
        if (result === 'failed') summary.failed++;
      } catch {
        // A storage failure on one connection: its turn comes again at the next due time; the others go on.
        summary.failed++;
      }
    }
    // Every row listed was claimed (by this process or another) and so is no longer due.
    if (due.length < CHUNK) break;
    await yieldToEventLoop();
  }
  return summary;
}
