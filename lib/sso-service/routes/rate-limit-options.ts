/** Per-route @fastify/rate-limit options; `false` leaves the route unlimited (RATE_LIMIT=off). */
export type RouteRateLimit = { max: number; timeWindow: number } | false;

export function perMinute(enabled: boolean, max: number): RouteRateLimit {
  return enabled ? { max, timeWindow: 60_000 } : false;
}
