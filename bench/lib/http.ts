import { Agent, request, type Dispatcher } from 'undici';

/**
 * One keep-alive agent for the bench's own requests: latency figures should measure the service,
 * not a TCP handshake per request.
 */
export const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, connections: 128 });

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export async function http(
  url: string,
  opts: {
    method?: Dispatcher.HttpMethod;
    headers?: Record<string, string>;
    body?: string;
    dispatcher?: Dispatcher;
  } = {},
): Promise<HttpResult> {
  const res = await request(url, {
    method: opts.method ?? 'GET',
    headers: opts.headers,
    body: opts.body,
    dispatcher: opts.dispatcher ?? agent,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

export async function json<T>(url: string, opts: Parameters<typeof http>[1] = {}, expect?: number): Promise<T> {
  const res = await http(url, opts);
  if (expect !== undefined ? res.status !== expect : res.status >= 300) {
    throw new Error(`${opts.method ?? 'GET'} ${redact(url)} → ${res.status}: ${res.text.slice(0, 300)}`);
  }
  return JSON.parse(res.text) as T;
}

/** Codes and states are single-use secrets; keep them out of error messages anyway. */
export function redact(url: string): string {
  return url.replace(/([?&](?:code|state|nonce|code_challenge)=)[^&]+/g, '$1…');
}

export function headerList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
