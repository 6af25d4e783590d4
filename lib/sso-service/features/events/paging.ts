/** Cursor paging of the event lists: newest first by (createdAt, id); the cursor is opaque to clients. */
import { z } from 'zod';
import { EVENT_LIMITS } from '@/lib/contract';
import { badRequest } from '../../http/api-error';
import type { PageAfter } from '../../storage/events-types';

const cursorSchema = z.tuple([z.iso.datetime({ precision: 3 }), z.string().min(1).max(EVENT_LIMITS.idFilterMax)]);

export function encodeCursor(after: PageAfter): string {
  return Buffer.from(JSON.stringify([after.createdAt, after.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): PageAfter | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [createdAt, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt, id };
  } catch {
    throw badRequest('cursor is not valid; start again from the first page (no cursor)');
  }
}

/** One page: asks for one row more than `limit` to know whether another page follows. */
export async function page<R extends { createdAt: string; id: string }>(
  limit: number | undefined,
  list: (limit: number) => Promise<R[]>,
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const size = limit ?? EVENT_LIMITS.pageDefault;
  const rows = await list(size + 1);
  if (rows.length <= size) return { rows, nextCursor: null };
  const kept = rows.slice(0, size);
  const last = kept[kept.length - 1] as R;
  return { rows: kept, nextCursor: encodeCursor(last) };
}
