/**
 * A Map that holds at most `maxEntries`: writing a key moves it to the newest position, and a write beyond
 * the bound drops the oldest-written entry. The one helper for "bounded map, drop the oldest" (memo tables,
 * per-issuer caches), so a flood of distinct keys can never grow memory without limit.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly maxEntries: number) {
    super();
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.maxEntries) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return this;
  }
}
