/** Orgs (developers), their API keys (sha256 only) and signup. Written once against Kysely for both backends. */
import type { StoreDatabase } from '../../storage/connect';
import { batchedRead, bufferId } from '../../storage/batched-read';
import { bytes, toDeveloper } from '../../storage/rows';
import type { ApiKeyHash, Developer, NewDeveloper } from '../../storage/types';

export interface OrgsStore {
  /**
   * The developer and its first API key, atomically. Emails are contact details, not identities: two developers
   * may share one (a unique email would let signup tell anyone whether an address has an account).
   */
  createDeveloper(dev: NewDeveloper): Promise<'created'>;
  findDeveloperByKey(keyHash: ApiKeyHash): Promise<Developer | undefined>;
  /** The developer (org) by id; the public chooser names the org whose login page it is. */
  getDeveloper(developerId: string): Promise<Developer | undefined>;
}

export function createOrgsStore(database: StoreDatabase): OrgsStore {
  const { db, dialect } = database;
  const email = dialect.developerEmail;
  const developers = () =>
    db
      .selectFrom('developers as d')
      .select(['d.id', 'd.name', `d.${email} as email`, 'd.mode', 'd.plan', 'd.created_at']);

  // Every API call authenticates through this read: compiled once, batched on PostgreSQL (storage README).
  const byKey = batchedRead<Buffer, Record<string, unknown>>(database, {
    select: () => developers().innerJoin('api_keys as k', 'k.developer_id', 'd.id') as never,
    key: 'k.key_hash',
    idOf: bufferId,
  });

  return {
    async createDeveloper(dev) {
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('developers')
          .values({
            id: dev.id,
            name: dev.name,
            [email]: dev.email,
            mode: dev.mode,
            plan: dev.plan,
            created_at: dev.createdAt,
          })
          .execute();
        await tx
          .insertInto('api_keys')
          .values({ key_hash: bytes(dev.keyHash), developer_id: dev.id, created_at: dev.createdAt })
          .execute();
      });
      return 'created';
    },
    async findDeveloperByKey(keyHash) {
      const row = await byKey(bytes(keyHash));
      return row === undefined ? undefined : toDeveloper(row);
    },
    async getDeveloper(developerId) {
      const row = await developers().where('d.id', '=', developerId).executeTakeFirst();
      return row === undefined ? undefined : toDeveloper(row);
    },
  };
}
