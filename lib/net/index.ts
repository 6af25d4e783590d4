export { guardedFetch, formatSeconds, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type GuardOptions } from './guarded-fetch';
export { OutboundError, findOutboundError, describeUrl, type OutboundErrorKind } from './outbound-error';
export { isAddressAllowed, hostResolvesToAllowed } from './address-policy';
export {
  fetchDiscovery,
  discoveryUrlFor,
  issuerFromDiscoveryUrl,
  isNearMissIssuer,
  discoveryMetadataSchema,
  type DiscoveryMetadata,
  type DiscoveryResult,
  type DiscoveryFailureReason,
} from './discovery';
export { DeadlineExceededError, deadlineExceeded, startDeadline, untilAborted, type Deadline } from './deadline';
