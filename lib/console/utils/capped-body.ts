/**
 * Reading a request body with a byte cap that holds whatever the client declared.
 *
 * `Content-Length` is the client's claim, and a chunked body has none: `req.formData()` would buffer anything
 * it is sent. So the stream is read here, counting bytes as they arrive, and abandoned (the rest never read)
 * the moment it passes the cap. Only then is the form parsed, from the bytes already held.
 */
import 'server-only';

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** The body's bytes, or BodyTooLargeError as soon as more than `maxBytes` arrived (or were announced). */
export async function readBodyCapped(req: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers.get('content-length') ?? '');
  // A declared length over the cap is refused without reading; a smaller (or absent) one is not trusted.
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError();
  if (!req.body) return new Uint8Array(new ArrayBuffer(0));
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(new ArrayBuffer(total));
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * The posted form (urlencoded or multipart, as its content type says), read with readBodyCapped. Throws
 * BodyTooLargeError past the cap, and a TypeError for a body that is not a form (as `req.formData()` does).
 */
export async function formDataCapped(req: Request, maxBytes: number): Promise<FormData> {
  const body = await readBodyCapped(req, maxBytes);
  const contentType = req.headers.get('content-type') ?? '';
  return new Response(body, { headers: { 'content-type': contentType } }).formData();
}
