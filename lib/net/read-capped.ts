/**
 * Reads a response body into memory, but never more than `maxBytes`: past the cap the reader is
 * cancelled (which tears down the connection, so the rest is never transferred) and the sentinel
 * `'too_large'` is returned. Shared by the Grantex client and the console's request bodies, which map
 * the sentinel to their own error types (the outbound guard reads Node streams with the helpers below).
 * Pure web-streams code: safe in any runtime.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  declaredLength?: string | null,
): Promise<Uint8Array<ArrayBuffer> | 'too_large'> {
  if (!body) return new Uint8Array(0);
  if (declaredTooLarge(declaredLength, maxBytes)) {
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
  return joinChunks(chunks, total);
}

/** Whether a declared Content-Length is already past the cap (nothing needs reading). */
export function declaredTooLarge(declaredLength: string | null | undefined, maxBytes: number): boolean {
  const declared = Number(declaredLength);
  return Boolean(declaredLength) && Number.isFinite(declared) && declared > maxBytes;
}

/** The chunks read, `total` bytes in all, as one array of its own. */
export function joinChunks(chunks: readonly Uint8Array[], total: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
