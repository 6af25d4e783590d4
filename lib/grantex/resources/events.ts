import { eventListQuerySchema, eventListSchema, type EventList, type EventListQuery } from '@/lib/contract';
import { parseInput, type GrantexTransport } from '../transport';

/**
 * The org's events (the ones webhooks deliver) read back page by page, oldest first: `list({ after })` with the
 * previous page's `nextCursor` resumes where it ended. The live stream (`GET /v1/events/stream`) is for SSE
 * clients, not this request/response client.
 */
export class Events {
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
  }

  async list(query: EventListQuery = {}): Promise<EventList> {
    const q = parseInput(eventListQuerySchema, query);
    const res = await this.#http.send({
      method: 'GET',
      path: 'v1/events',
      query: {
        after: q.after,
        limit: q.limit === undefined ? undefined : String(q.limit),
        types: q.types?.join(','),
      },
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, eventListSchema);
  }
}
