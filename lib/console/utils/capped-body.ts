/**
 * Reading a request body with a byte cap that holds whatever the client declared.
 *
 * `Content-Length` is the client's claim, and a chunked body has none: `req.formData()` would buffer anything
 * it is sent. So the stream is read here, counting bytes as they arrive, and abandoned (the rest never read)
 * the moment it passes the cap. Only then is the form parsed, from the bytes already held.
 */
import 'server-only';
import { readCapped } from '@/lib/net/read-capped';

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** The body's bytes, or BodyTooLargeError as soon as more than `maxBytes` arrived (or were announced). */
export async function readBodyCapped(req: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const body = await readCapped(req.body, maxBytes, req.headers.get('content-length'));
  if (body === 'too_large') throw new BodyTooLargeError();
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
