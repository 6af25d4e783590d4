/**
 * Reads a response body into memory, but never more than `maxBytes`: past the cap the reader is
 * cancelled (which tears down the connection, so the rest is never transferred) and the sentinel
 * `'too_large'` is returned. Shared by the Grantex client and the console's request bodies, which map
 * the sentinel to their own error types (the outbound guard reads Node streams: guarded-fetch.ts).
 * Pure web-streams code: safe in any runtime.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  declaredLength?: string | null,
): Promise<Uint8Array<ArrayBuffer> | 'too_large'> {
  if (!body) return new Uint8Array(0);
  const declared = Number(declaredLength);
  if (declaredLength && Number.isFinite(declared) && declared > maxBytes) {
    await body.cancel().catch(() => undefined);
    return 'too_large';
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => undefined);
      return 'too_large';
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
