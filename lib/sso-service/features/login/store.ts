/**
 * The login path's writes: login states claimed by a callback (single use, with a failed callback's outcome),
 * SAML assertion ids accepted (single use per IdP), and the member sign-in (principal + session). Written once
 * against Kysely for both backends.
 */
import { z } from 'zod';
import type { StoreDatabase } from '../../storage/connect';
import { precompile } from '../../storage/precompiled';
import type { AssertionClaim, MemberSignIn, RelayStateRecord, SsoSession, StateFailure } from '../../storage/types';
import { insertSessionLogout } from '../logout/store';
import { SESSION_COLUMNS, toSession } from '../sessions/store';

export interface LoginStore {
  /** Claims a login state id for good; false when it was claimed before (a replay), by any process. */
  claimState(stateId: string, developerId: string, expiresAtMs: number): Promise<boolean>;
  /** The failure recorded for a claimed state (undefined: none recorded, or never claimed). */
  getStateFailure(stateId: string): Promise<StateFailure | undefined>;
  recordStateFailure(stateId: string, failure: StateFailure): Promise<void>;
  /**
   * Claims a SAML assertion id for good, once per IdP entity id across every org (migration 10); false when it
   * was claimed before, at this or any other connection trusting that IdP (a replay). Kept until `expiresAtMs`,
   * then purged with the other expired rows.
   */
  claimAssertionId(claim: AssertionClaim): Promise<boolean>;
  /**
   * Keeps a SAML login's sealed state under its RelayState handle's hash (migration 16) until `expiresAtMs`
   * (the state's own expiry); purged with the consumed states.
   */
  saveRelayState(record: RelayStateRecord): Promise<void>;
  /** The record stored under a handle's hash (expired or not: the state's expiry is the caller's check). */
  findRelayState(handleHash: string): Promise<RelayStateRecord | undefined>;
  /**
   * A member sign-in, atomically: the principal (connection + IdP issuer + IdP subject) is created when `jit` allows it
   * and updated (email, name, groups, last sign-in) when it exists, and the session is inserted for it.
   * Undefined when `jit` is false and no principal exists for that subject (nothing is written).
   */
  signInMember(signIn: MemberSignIn): Promise<SsoSession | undefined>;
  /** Each connection's latest member sign-in (ISO), for the org's connections that had one. */
  lastSignIns(developerId: string): Promise<Map<string, string>>;
}

const failureRow = z.object({
  error_status: z.number().int(),
  error_code: z.string(),
  error_message: z.string(),
  error_reason: z.string().nullable(),
});
const relayStateRow = z.object({
  handle_hash: z.string(),
  developer_id: z.string(),
  connection_id: z.string(),
  state: z.string(),
  expires_at: z.union([z.number(), z.string()]).transform(Number),
});
const lastSignInRow = z.object({ connection_id: z.string(), last_sign_in_at: z.string() });

export function createLoginStore(database: StoreDatabase): LoginStore {
  const { db, dialect } = database;
  // Every callback claims its state: compiled once (storage README).
  const insertState = precompile(database, (p: { stateId: string; developerId: string; expiresAtMs: number }) =>
    db
      .insertInto('consumed_states')
      .values({ state_id: p.stateId, developer_id: p.developerId, expires_at: p.expiresAtMs, outcome: 'pending' })
      .onConflict((oc) => oc.column('state_id').doNothing()),
  );

  return {
    async claimState(stateId, developerId, expiresAtMs) {
      return (await insertState({ stateId, developerId, expiresAtMs })).numAffectedRows === 1n;
    },
    async getStateFailure(stateId) {
      const row = await db
        .selectFrom('consumed_states')
        .select(['error_status', 'error_code', 'error_message', 'error_reason'])
        .where('state_id', '=', stateId)
        .where('outcome', '=', 'failed')
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const r = failureRow.parse(row);
      return {
        status: r.error_status,
        code: r.error_code,
        message: r.error_message,
        ...(r.error_reason === null ? {} : { reason: r.error_reason }),
      };
    },
    async recordStateFailure(stateId, f) {
      await db
        .updateTable('consumed_states')
        .set({
          outcome: 'failed',
          error_status: f.status,
          error_code: f.code,
          error_message: f.message,
          error_reason: f.reason ?? null,
        })
        .where('state_id', '=', stateId)
        .execute();
    },
    async claimAssertionId(c) {
      const r = await db
        .insertInto('saml_assertions')
        .values({
          idp_entity_id: c.idpEntityId,
          assertion_id: c.assertionId,
          developer_id: c.developerId,
          connection_id: c.connectionId,
          expires_at: c.expiresAtMs,
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return r.numInsertedOrUpdatedRows === 1n;
    },
    async saveRelayState(r) {
      await db
        .insertInto('saml_relay_states')
        .values({
          handle_hash: r.handleHash,
          developer_id: r.developerId,
          connection_id: r.connectionId,
          state: r.state,
          expires_at: r.expiresAtMs,
        })
        .execute();
    },
    async findRelayState(handleHash) {
      const row = await db
        .selectFrom('saml_relay_states')
        .selectAll()
        .where('handle_hash', '=', handleHash)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const r = relayStateRow.parse(row);
      return {
        handleHash: r.handle_hash,
        developerId: r.developer_id,
        connectionId: r.connection_id,
        state: r.state,
        expiresAtMs: r.expires_at,
      };
    },
    // The principal's write and the session's insert in one transaction (IMMEDIATE on SQLite): no principal, no
    // session, and a concurrent sign-in of the same subject waits for this one.
    async signInMember(s) {
      const member = {
        email: s.email,
        email_verified: dialect.bool(s.emailVerified),
        name: s.name,
        groups: JSON.stringify(s.groups),
        updated_at: s.now,
        last_sign_in_at: s.now,
      };
      return db.transaction().execute(async (tx) => {
        const principal = s.jit
          ? await tx
              .insertInto('sso_principals')
              .values({
                id: s.newPrincipalId,
                developer_id: s.developerId,
                connection_id: s.connectionId,
                idp_issuer: s.idpIssuer,
                idp_subject: s.idpSubject,
                created_at: s.now,
                ...member,
              })
              .onConflict((oc) =>
                oc.columns(['connection_id', 'idp_issuer', 'idp_subject']).doUpdateSet((eb) => ({
                  email: eb.ref('excluded.email'),
                  email_verified: eb.ref('excluded.email_verified'),
                  name: eb.ref('excluded.name'),
                  groups: eb.ref('excluded.groups'),
                  updated_at: eb.ref('excluded.updated_at'),
                  last_sign_in_at: eb.ref('excluded.last_sign_in_at'),
                })),
              )
              .returning('id')
              .executeTakeFirst()
          : await tx
              .updateTable('sso_principals')
              .set(member)
              .where('developer_id', '=', s.developerId)
              .where('connection_id', '=', s.connectionId)
              .where('idp_issuer', '=', s.idpIssuer)
              .where('idp_subject', '=', s.idpSubject)
              .returning('id')
              .executeTakeFirst();
        if (principal === undefined) return undefined;
        const row = await tx
          .insertInto('sso_sessions')
          .values({
            id: s.sessionId,
            principal_id: principal.id,
            developer_id: s.developerId,
            connection_id: s.connectionId,
            email: s.email,
            email_verified: dialect.bool(s.emailVerified),
            name: s.name,
            idp_subject: s.idpSubject,
            groups: JSON.stringify(s.groups),
            mapped_scopes: JSON.stringify(s.mappedScopes),
            expires_at: s.expiresAt,
            created_at: s.now,
          })
          .returning(SESSION_COLUMNS)
          .executeTakeFirstOrThrow();
        if (s.logout) await insertSessionLogout(tx, s);
        return toSession(row);
      });
    },
    async lastSignIns(developerId) {
      const rows = await db
        .selectFrom('sso_principals')
        .select((eb) => ['connection_id', eb.fn.max('last_sign_in_at').as('last_sign_in_at')])
        .where('developer_id', '=', developerId)
        .groupBy('connection_id')
        .execute();
      return new Map(
        rows.map((row) => {
          const r = lastSignInRow.parse(row);
          return [r.connection_id, r.last_sign_in_at] as const;
        }),
      );
    },
  };
}

/**
 * Claimed states and RelayState handles that expired before `beforeMs` (how many claimed states went) and
 * assertion ids past their expiry. A handle outlives its state by the same margin as its claim, so a late post
 * still reads "expired" rather than "unknown".
 */
export async function purgeExpiredLogins({ db }: StoreDatabase, beforeMs: number, nowMs: number): Promise<number> {
  const states = await db.deleteFrom('consumed_states').where('expires_at', '<', beforeMs).executeTakeFirst();
  await db.deleteFrom('saml_relay_states').where('expires_at', '<', beforeMs).execute();
  await db.deleteFrom('saml_assertions').where('expires_at', '<', nowMs).execute();
  return Number(states.numDeletedRows);
}
