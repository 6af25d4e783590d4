/**
 * A SAML connection's SP keys: one signing key (AuthnRequests, logout requests) and optionally encryption keys
 * (the IdP encrypts assertions to them), each rotated with an overlap:
 *
 * - `rotate(use)`: the first key of a use becomes `current`; after that a `next` key is made and published in
 *   the SP metadata beside `current` (any `previous` key of that use is removed: its overlap ended when the
 *   rotation that made it was promoted). A second rotate while a `next` key waits is refused.
 * - `promote(use)`: `next` becomes `current` (signs from now on, listed first), `current` becomes `previous`.
 *   A previous signing key is no longer published or used; a previous encryption key stays published and keeps
 *   decrypting (assertions the IdP encrypted before it re-read the metadata) until it is retired.
 * - `retire(keyId)`: removes a `previous` or `next` key; a `current` key only when it is the only key of its use
 *   and, for signing, AuthnRequests are not signed (removing the only encryption key turns encryption off).
 *
 * So at most two keys of a use exist at once, and both decrypt. Private keys are sealed by the secret box with
 * an AAD naming the org, the connection and the key id (a sealed key copied to another row does not open);
 * they are opened only to sign or decrypt, never returned, logged or put into an error.
 */
import { randomBytes } from 'node:crypto';
import type { SamlSpKey, SpKeyUse } from '@/lib/contract';
import { generateSpKeyPair } from '../../crypto/sp-key-pair';
import type { SecretBox } from '../../crypto/secret-box';
import { reasonError } from '../../http/api-error';
import { certificateInfo, type SpSigningKey } from '../../saml';
import type { SamlConnection, ServiceStore } from '../../storage/types';
import type { StoredSpKey } from './store';

/** What reading and changing SP keys needs (a subset of the service context). */
export interface SpKeyDeps {
  store: Pick<ServiceStore, 'listSpKeys' | 'addSpKey' | 'promoteSpKey' | 'deleteSpKey'>;
  secretBox: SecretBox;
  now: () => number;
}

/** The AAD a sealed SP private key is bound to. */
export function spKeyAad(key: Pick<StoredSpKey, 'developerId' | 'connectionId' | 'id'>): string {
  return `saml-sp-key:${key.developerId}:${key.connectionId}:${key.id}`;
}

function openKey(deps: Pick<SpKeyDeps, 'secretBox'>, key: StoredSpKey): SpSigningKey {
  return {
    privateKeyPem: deps.secretBox.open(key.privateKeySealed, spKeyAad(key)),
    certificatePem: key.certificatePem,
  };
}

/** Whether a key is listed in the SP metadata: signing keys current and next, every encryption key. */
export function isPublished(key: Pick<StoredSpKey, 'use' | 'state'>): boolean {
  return key.use === 'encryption' || key.state !== 'previous';
}

const STATE_ORDER = { current: 0, next: 1, previous: 2 } as const;
const byState = (a: StoredSpKey, b: StoredSpKey) => STATE_ORDER[a.state] - STATE_ORDER[b.state];

/**
 * The key pair that signs for this connection (the `current` signing key), or undefined when it has none.
 * node-saml takes it as `{ privateKey: privateKeyPem, publicCert: certificatePem }`; AuthnRequests and logout
 * requests sign with this same key.
 */
export async function spSigningKeyFor(
  deps: Pick<SpKeyDeps, 'store' | 'secretBox'>,
  connection: Pick<SamlConnection, 'id'>,
): Promise<SpSigningKey | undefined> {
  const key = (await deps.store.listSpKeys(connection.id)).find((k) => k.use === 'signing' && k.state === 'current');
  return key ? openKey(deps, key) : undefined;
}

/** Every key pair that may decrypt an assertion for this connection (current first, then next, then previous). */
export async function spDecryptionKeysFor(
  deps: Pick<SpKeyDeps, 'store' | 'secretBox'>,
  connection: Pick<SamlConnection, 'id'>,
): Promise<SpSigningKey[]> {
  const keys = (await deps.store.listSpKeys(connection.id)).filter((k) => k.use === 'encryption').sort(byState);
  return keys.map((k) => openKey(deps, k));
}

/** The certificates the SP metadata lists, by use, current first. */
export async function spMetadataCertificates(
  deps: Pick<SpKeyDeps, 'store'>,
  connection: Pick<SamlConnection, 'id'>,
): Promise<{ signing: string[]; encryption: string[] }> {
  const keys = (await deps.store.listSpKeys(connection.id)).filter(isPublished).sort(byState);
  return {
    signing: keys.filter((k) => k.use === 'signing').map((k) => k.certificatePem),
    encryption: keys.filter((k) => k.use === 'encryption').map((k) => k.certificatePem),
  };
}

function toWire(key: StoredSpKey): SamlSpKey {
  const info = certificateInfo(key.certificatePem);
  return {
    id: key.id,
    use: key.use,
    state: key.state,
    fingerprintSha256: info.fingerprintSha256,
    createdAt: key.createdAt,
    notAfter: info.notAfter.toISOString(),
    certificatePem: info.pem,
    published: isPublished(key),
  };
}

/** The connection's keys as shown: signing first, each use current, next, previous. */
export async function listSpKeys(deps: Pick<SpKeyDeps, 'store'>, connection: SamlConnection): Promise<SamlSpKey[]> {
  const keys = await deps.store.listSpKeys(connection.id);
  return keys.sort((a, b) => (a.use === b.use ? byState(a, b) : a.use === 'signing' ? -1 : 1)).map(toWire);
}

async function newKey(deps: SpKeyDeps, connection: SamlConnection, use: SpKeyUse, state: StoredSpKey['state']) {
  const id = `spk_${randomBytes(12).toString('base64url')}`;
  const now = new Date(deps.now());
  const pair = await generateSpKeyPair(`Grantex SSO SP ${use} ${connection.id}`, now);
  const base = { id, connectionId: connection.id, developerId: connection.developerId };
  return {
    ...base,
    use,
    state,
    privateKeySealed: deps.secretBox.seal(pair.privateKeyPem, spKeyAad(base)),
    certificatePem: pair.certificatePem,
    createdAt: now.toISOString(),
  } satisfies StoredSpKey;
}

/** The first key of a use becomes current; otherwise a next key (see the module comment). */
export async function rotateSpKey(deps: SpKeyDeps, connection: SamlConnection, use: SpKeyUse): Promise<SamlSpKey> {
  const ofUse = (await deps.store.listSpKeys(connection.id)).filter((k) => k.use === use);
  if (ofUse.some((k) => k.state === 'next'))
    throw reasonError('sp_key_rotation_pending', { status: 409, code: 'CONFLICT' });
  const state = ofUse.some((k) => k.state === 'current') ? 'next' : 'current';
  const key = await newKey(deps, connection, use, state);
  // A concurrent rotation that got there first wins (UNIQUE connection + use + state): this one is refused.
  if (!(await deps.store.addSpKey(key, { dropPrevious: state === 'next' })))
    throw reasonError('sp_key_rotation_pending', { status: 409, code: 'CONFLICT' });
  return toWire(key);
}

/** Makes sure the connection has a current signing key (turning signed AuthnRequests on makes one). */
export async function ensureSpSigningKey(deps: SpKeyDeps, connection: SamlConnection): Promise<void> {
  const keys = await deps.store.listSpKeys(connection.id);
  if (keys.some((k) => k.use === 'signing' && k.state === 'current')) return;
  // Losing a race to another request that made one is fine: either key is the connection's signing key.
  await deps.store.addSpKey(await newKey(deps, connection, 'signing', 'current'));
}

export async function promoteSpKey(deps: SpKeyDeps, connection: SamlConnection, use: SpKeyUse): Promise<void> {
  if (!(await deps.store.promoteSpKey(connection.id, use)))
    throw reasonError('sp_key_nothing_to_promote', { status: 409, code: 'CONFLICT' });
}

/** Removes a key (see the module comment for which); undefined when the connection has no key with that id. */
export async function retireSpKey(
  deps: SpKeyDeps,
  connection: SamlConnection,
  keyId: string,
): Promise<StoredSpKey | undefined> {
  const keys = await deps.store.listSpKeys(connection.id);
  const key = keys.find((k) => k.id === keyId);
  if (!key) return undefined;
  if (key.state === 'current') {
    const alone = keys.filter((k) => k.use === key.use).length === 1;
    if (!alone || (key.use === 'signing' && connection.saml.signAuthnRequests))
      throw reasonError('sp_key_in_use', { status: 409, code: 'CONFLICT' });
  }
  return deps.store.deleteSpKey(connection.id, keyId);
}
