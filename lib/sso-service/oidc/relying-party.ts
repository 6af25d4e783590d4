import { RpError, type RelyingParty, type RelyingPartyOptions } from './types';

// TODO: replaced by the real implementation in the next commit.
export function createRelyingParty(opts: RelyingPartyOptions): RelyingParty {
  void opts;
  const todo = () => Promise.reject(new RpError('idp_unavailable', 503, 'Relying party not implemented yet'));
  return { authorizationUrl: todo, redeem: todo, checkIssuer: todo, forget: () => undefined };
}
