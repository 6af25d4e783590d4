/**
 * Setup links (migration 5) and the setup sessions a redeem opens (migration 11). Written once against Kysely
 * for both backends.
 */
import { z } from 'zod';
import type { StoreDatabase } from '../../storage/connect';
import { bytes } from '../../storage/rows';
import type {
  NewSetupLink,
  NewSetupSession,
  SetupLink,
  SetupLinkUse,
  SetupLinkWithOrg,
  SetupSessionWithLink,
  SetupTokenHash,
} from '../../storage/types';

export interface SetupLinksStore {
  /** Inserts a setup link (its token only as a hash). */
  createSetupLink(link: NewSetupLink): Promise<SetupLink>;
  /** The link whose token hashes to `tokenHash` (any status: the caller checks expiry and revocation), one indexed read. */
  findSetupLinkByToken(tokenHash: SetupTokenHash): Promise<SetupLinkWithOrg | undefined>;
  /** The org's links, newest first, each with up to `usesPerLink` uses, newest first. */
  listSetupLinks(developerId: string, usesPerLink: number): Promise<{ link: SetupLink; uses: SetupLinkUse[] }[]>;
  /** Marks the org's link revoked (the first revocation time stays); undefined when the org has no such link. */
  revokeSetupLink(developerId: string, linkId: string, revokedAt: string): Promise<SetupLink | undefined>;
  /**
   * Redeems a link: inserts the session and its use (name, email, time = `createdAt`, user agent, the session's
   * id) atomically, only if the link is neither revoked nor expired at `createdAt`; false (nothing written)
   * otherwise.
   */
  createSetupSession(session: NewSetupSession, userAgent: string | null): Promise<boolean>;
  /** The session whose token hashes to `tokenHash`, with its link (any status: the caller checks), one indexed read. */
  findSetupSessionByToken(tokenHash: SetupTokenHash): Promise<SetupSessionWithLink | undefined>;
}

const LINK_COLUMNS = ['id', 'developer_id', 'label', 'created_by', 'created_at', 'expires_at', 'revoked_at'] as const;
const LINK_COLUMNS_L = LINK_COLUMNS.map((c) => `l.${c}` as const);

const setupLinkRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  label: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  revoked_at: z.string().nullable(),
});
const setupLinkOrgRow = setupLinkRow.extend({ organization_name: z.string() });
const setupLinkUseRow = z.object({
  link_id: z.string(),
  used_at: z.string(),
  name: z.string(),
  email: z.string(),
  user_agent: z.string().nullable(),
});
const sessionRow = z.object({
  session_id: z.string(),
  session_link_id: z.string(),
  session_developer_id: z.string(),
  session_name: z.string(),
  session_email: z.string(),
  session_created_at: z.string(),
  session_expires_at: z.string(),
});

function toSetupLink(row: unknown): SetupLink {
  const r = setupLinkRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    label: r.label,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  };
}

function toSetupLinkWithOrg(row: unknown): SetupLinkWithOrg {
  return { ...toSetupLink(row), organizationName: setupLinkOrgRow.parse(row).organization_name };
}

function toSetupLinkUse(row: unknown): SetupLinkUse {
  const r = setupLinkUseRow.parse(row);
  return { linkId: r.link_id, usedAt: r.used_at, name: r.name, email: r.email, userAgent: r.user_agent };
}

function toSetupSessionWithLink(row: unknown): SetupSessionWithLink {
  const r = sessionRow.parse(row);
  return {
    session: {
      id: r.session_id,
      linkId: r.session_link_id,
      developerId: r.session_developer_id,
      name: r.session_name,
      email: r.session_email,
      createdAt: r.session_created_at,
      expiresAt: r.session_expires_at,
    },
    link: toSetupLinkWithOrg(row),
  };
}

export function createSetupLinksStore({ db }: StoreDatabase): SetupLinksStore {
  return {
    async createSetupLink(l) {
      const row = await db
        .insertInto('setup_links')
        .values({
          id: l.id,
          developer_id: l.developerId,
          token_hash: bytes(l.tokenHash),
          label: l.label,
          created_by: l.createdBy,
          created_at: l.createdAt,
          expires_at: l.expiresAt,
        })
        .returning(LINK_COLUMNS)
        .executeTakeFirstOrThrow();
      return toSetupLink(row);
    },
    async findSetupLinkByToken(tokenHash) {
      const row = await db
        .selectFrom('setup_links as l')
        .innerJoin('developers as d', 'd.id', 'l.developer_id')
        .select([...LINK_COLUMNS_L, 'd.name as organization_name'])
        .where('l.token_hash', '=', bytes(tokenHash))
        .executeTakeFirst();
      return row === undefined ? undefined : toSetupLinkWithOrg(row);
    },
    async listSetupLinks(developerId, usesPerLink) {
      const [links, uses] = await Promise.all([
        db
          .selectFrom('setup_links')
          .select(LINK_COLUMNS)
          .where('developer_id', '=', developerId)
          .orderBy('created_at', 'desc')
          .orderBy('id')
          .execute(),
        // The newest `usesPerLink` uses of each link.
        db
          .selectFrom((eb) =>
            eb
              .selectFrom('setup_link_uses as u')
              .select((w) => [
                'u.link_id',
                'u.used_at',
                'u.name',
                'u.email',
                'u.user_agent',
                w.fn
                  .agg<number>('row_number')
                  .over((ob) => ob.partitionBy('u.link_id').orderBy('u.used_at', 'desc').orderBy('u.id', 'desc'))
                  .as('n'),
              ])
              .where('u.developer_id', '=', developerId)
              .as('t'),
          )
          .select(['link_id', 'used_at', 'name', 'email', 'user_agent'])
          .where('n', '<=', usesPerLink)
          .orderBy('used_at', 'desc')
          .execute(),
      ]);
      const byLink = new Map<string, SetupLinkUse[]>();
      for (const use of uses.map(toSetupLinkUse)) byLink.set(use.linkId, [...(byLink.get(use.linkId) ?? []), use]);
      return links.map(toSetupLink).map((link) => ({ link, uses: byLink.get(link.id) ?? [] }));
    },
    async revokeSetupLink(developerId, linkId, revokedAt) {
      // Revokes once: a second revocation keeps the first time.
      const row = await db
        .updateTable('setup_links')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(revokedAt)) }))
        .where('id', '=', linkId)
        .where('developer_id', '=', developerId)
        .returning(LINK_COLUMNS)
        .executeTakeFirst();
      return row === undefined ? undefined : toSetupLink(row);
    },
    // The session and its recorded use together, or neither (IMMEDIATE on SQLite). The session is inserted only
    // while its link is neither revoked nor expired at `createdAt`, so a revocation racing the redeem cannot leave
    // a session behind.
    async createSetupSession(s, userAgent) {
      return db.transaction().execute(async (tx) => {
        const inserted = await tx
          .insertInto('setup_sessions')
          .columns(['id', 'link_id', 'developer_id', 'token_hash', 'name', 'email', 'created_at', 'expires_at'])
          .expression((eb) =>
            eb
              .selectFrom('setup_links as l')
              .select([
                eb.val(s.id).as('id'),
                'l.id as link_id',
                'l.developer_id',
                eb.val(bytes(s.tokenHash)).as('token_hash'),
                eb.val(s.name).as('name'),
                eb.val(s.email).as('email'),
                eb.val(s.createdAt).as('created_at'),
                eb.val(s.expiresAt).as('expires_at'),
              ])
              .where('l.id', '=', s.linkId)
              .where('l.revoked_at', 'is', null)
              .where('l.expires_at', '>', s.createdAt),
          )
          .returning('id')
          .executeTakeFirst();
        if (inserted === undefined) return false;
        await tx
          .insertInto('setup_link_uses')
          .columns(['link_id', 'developer_id', 'used_at', 'name', 'email', 'user_agent', 'session_id'])
          .expression((eb) =>
            eb
              .selectFrom('setup_sessions')
              .select([
                'link_id',
                'developer_id',
                'created_at',
                'name',
                'email',
                eb.val(userAgent).as('user_agent'),
                'id',
              ])
              .where('id', '=', s.id),
          )
          .execute();
        return true;
      });
    },
    async findSetupSessionByToken(tokenHash) {
      const row = await db
        .selectFrom('setup_sessions as s')
        .innerJoin('setup_links as l', 'l.id', 's.link_id')
        .innerJoin('developers as d', 'd.id', 'l.developer_id')
        .select([
          's.id as session_id',
          's.link_id as session_link_id',
          's.developer_id as session_developer_id',
          's.name as session_name',
          's.email as session_email',
          's.created_at as session_created_at',
          's.expires_at as session_expires_at',
          ...LINK_COLUMNS_L,
          'd.name as organization_name',
        ])
        .where('s.token_hash', '=', bytes(tokenHash))
        .executeTakeFirst();
      return row === undefined ? undefined : toSetupSessionWithLink(row);
    },
  };
}

/** Setup sessions past their end are useless (a use keeps its session id as a plain reference). */
export async function purgeExpiredSetupSessions({ db }: StoreDatabase, nowIso: string): Promise<void> {
  await db.deleteFrom('setup_sessions').where('expires_at', '<', nowIso).execute();
}
