/**
 * JWKS per jwks_uri, fetched through the outbound guard, with the refetch policy ID-token
 * verification needs: a token signed with an unknown `kid` triggers ONE refetch (key rotation),
 * but after such a miss-triggered refetch further misses wait out a cooldown, so a flood of
 * tokens with random `kid`s cannot turn into a flood of requests to the IdP.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { guardedFetch, OutboundError, type GuardOptions } from '@/lib/net';
import { RefreshingCache, type Loaded } from './refreshing-cache';
import { BoundedMap } from '../bounded-map';

const jwksSchema = z.object({ keys: z.array(z.looseObject({ kty: z.string() })) });

export interface JwksKeys {
  jwks: JSONWebKeySet;
  getKey: JWTVerifyGetKey;
}

export interface JwksLoadError {
  /** 'timeout' → 504-class; everything else → 502-class. */
  kind: 'timeout' | 'unavailable';
  detail: string;
}

const MAX_JWKS_URIS = 1000;

export interface JwksCacheOptions extends GuardOptions {
  ttlMs?: number;
  missCooldownMs?: number;
  clock?: () => number;
}

export class JwksCache {
  private readonly cache: RefreshingCache<JwksKeys, JwksLoadError>;
  /** Bounded like the key cache itself: one entry per JWKS URI. */
  private readonly lastMissRefetch = new BoundedMap<string, number>(MAX_JWKS_URIS);
  private readonly missRefetchInflight = new Map<string, Promise<Loaded<JwksKeys, JwksLoadError>>>();
  private readonly missCooldownMs: number;
  private readonly clock: () => number;

  constructor(private readonly opts: JwksCacheOptions) {
    this.clock = opts.clock ?? Date.now;
    this.missCooldownMs = opts.missCooldownMs ?? 30_000;
    this.cache = new RefreshingCache((uri) => this.fetchKeys(uri), {
      ttlMs: opts.ttlMs ?? 10 * 60_000,
      failureTtlMs: 5_000,
      maxStaleMs: 24 * 60 * 60_000,
      maxEntries: MAX_JWKS_URIS,
      clock: this.clock,
    });
  }

  get(jwksUri: string): Promise<Loaded<JwksKeys, JwksLoadError>> {
    return this.cache.get(jwksUri);
  }

  /**
   * Refetch because a token named a key we do not have. Returns null when the cooldown forbids it
   * (the caller then rejects the token with what it has).
   */
  async refetchForUnknownKey(jwksUri: string): Promise<Loaded<JwksKeys, JwksLoadError> | null> {
    // Tokens arriving while the rotation refetch runs wait for it instead of being rejected.
    const running = this.missRefetchInflight.get(jwksUri);
    if (running) return running;
    const now = this.clock();
    const last = this.lastMissRefetch.get(jwksUri);
    if (last !== undefined && now - last < this.missCooldownMs) return null;
    this.lastMissRefetch.set(jwksUri, now);
    const refetch = this.cache.refresh(jwksUri).finally(() => this.missRefetchInflight.delete(jwksUri));
    this.missRefetchInflight.set(jwksUri, refetch);
    return refetch;
  }

  forget(jwksUri: string): void {
    this.cache.delete(jwksUri);
    this.lastMissRefetch.delete(jwksUri);
  }

  private async fetchKeys(uri: string): Promise<Loaded<JwksKeys, JwksLoadError>> {
    let res: Response;
    try {
      res = await guardedFetch(uri, { headers: { accept: 'application/json' } }, this.opts);
    } catch (err) {
      if (err instanceof OutboundError && err.kind === 'timeout') {
        return { ok: false, error: { kind: 'timeout', detail: 'its signing keys (JWKS) did not load in time' } };
      }
      const detail =
        err instanceof OutboundError && err.kind === 'too_large'
          ? 'its signing keys (JWKS) are too large'
          : 'its signing keys (JWKS) could not be loaded';
      return { ok: false, error: { kind: 'unavailable', detail } };
    }
    if (res.status !== 200) {
      return {
        ok: false,
        error: { kind: 'unavailable', detail: `its signing keys (JWKS) answered HTTP ${res.status}` },
      };
    }
    let parsed: z.infer<typeof jwksSchema>;
    try {
      parsed = jwksSchema.parse(JSON.parse(await res.text()));
    } catch {
      return { ok: false, error: { kind: 'unavailable', detail: 'its signing keys (JWKS) are not a valid key set' } };
    }
    const jwks = parsed as JSONWebKeySet;
    try {
      return { ok: true, value: { jwks, getKey: createLocalJWKSet(jwks) } };
    } catch {
      return { ok: false, error: { kind: 'unavailable', detail: 'its signing keys (JWKS) are not a valid key set' } };
    }
  }
}
