export { FixedWindowLimiter, type RateLimitResult, type FixedWindowLimiterOptions } from './fixed-window';
export { clientIp, parseTrustedProxies, type TrustedProxies, type HeaderSource } from './client-ip';
