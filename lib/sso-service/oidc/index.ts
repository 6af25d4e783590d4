export * from './types';
export { createRelyingParty } from './relying-party';
export { DEFAULT_ISSUER_ALIASES, type IssuerAliases } from './issuer-aliases';
