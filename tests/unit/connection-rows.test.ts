import { describe, expect, it } from 'vitest';
import { connectionValues, toSharedConnection as toConnection } from '@/lib/sso-service/storage/rows';
import { LEGACY_PROVISIONING, type NewConnection } from '@/lib/sso-service/storage/types';

const connection: NewConnection = {
  id: 'conn_rows_memo_1',
  developerId: 'dev_rows_memo',
  name: 'Default',
  protocol: 'oidc',
  status: 'active',
  oidc: {
    issuerUrl: 'https://idp.example.test',
    clientId: 'client-1',
    clientSecretSealed: Buffer.from('sealed-secret-1').toString('base64url'),
    redirectUri: 'https://console.example.test/sso/callback',
  },
  domains: [],
  provisioning: LEGACY_PROVISIONING,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** A row as better-sqlite3 returns it (JSON columns as text, the sealed secret as bytes). */
const sqliteRow = (c: NewConnection) => ({ ...connectionValues(c), default_for: c.developerId });

describe('connection rows (SQLite): parsed once per content', () => {
  it('the same row again is served from the memo (one frozen object)', () => {
    const first = toConnection(sqliteRow(connection));
    const again = toConnection(sqliteRow(connection));
    expect(again).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first.protocol === 'oidc' && Object.isFrozen(first.oidc)).toBe(true);
  });

  it('any changed column (another process wrote the row) is parsed afresh, with the same id and updatedAt', () => {
    const before = toConnection(sqliteRow(connection));
    const changes: NewConnection[] = [
      { ...connection, oidc: { ...connection.oidc, clientId: 'client-2' } },
      {
        ...connection,
        oidc: { ...connection.oidc, clientSecretSealed: Buffer.from('sealed-secret-2').toString('base64url') },
      },
      { ...connection, status: 'inactive' },
      { ...connection, domains: ['acme.test'] },
      {
        ...connection,
        provisioning: { ...LEGACY_PROVISIONING, jitProvisioning: !LEGACY_PROVISIONING.jitProvisioning },
      },
    ];
    for (const changed of changes) {
      const after = toConnection(sqliteRow(changed));
      expect(after).not.toBe(before);
      if (after.protocol === 'oidc' && changed.protocol === 'oidc') expect(after.oidc).toEqual(changed.oidc);
      expect(after.status).toBe(changed.status);
      expect(after.domains).toEqual(changed.domains);
      expect(after.provisioning).toEqual(changed.provisioning);
    }
    // And back: the original content reads as the original connection.
    expect(toConnection(sqliteRow(connection))).toEqual(before);
  });

  it('a reseal (only the sealed secret and updatedAt changed) reads as a full parse of that row would', () => {
    const before = toConnection(sqliteRow(connection));
    const next = {
      ...connection,
      oidc: { ...connection.oidc, clientSecretSealed: Buffer.from('sealed-secret-3').toString('base64url') },
      updatedAt: '2026-03-01T00:00:00.000Z',
    };
    const after = toConnection(sqliteRow(next));
    expect(after).not.toBe(before);
    expect(after).toEqual({ ...next, isDefault: true });
    expect(Object.isFrozen(after)).toBe(true);
    expect(after.protocol === 'oidc' && Object.isFrozen(after.oidc)).toBe(true);
    expect(toConnection(sqliteRow(next))).toBe(after);
    // A reseal row the schema would refuse is still refused (it is parsed, not patched).
    expect(() => toConnection({ ...sqliteRow(connection), secret_enc: 'not bytes' })).toThrow();
    expect(() => toConnection({ ...sqliteRow(connection), updated_at: 42 })).toThrow();
  });

  it('a bytes column is compared by content, not by identity (each read returns a new Buffer)', () => {
    const row = sqliteRow(connection);
    const first = toConnection(row);
    const copy = { ...row, secret_enc: Buffer.from(row.secret_enc as Buffer) };
    expect(toConnection(copy)).toBe(first);
  });
});
