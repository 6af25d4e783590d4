export * from './types';
export { createRelyingParty } from './relying-party';
