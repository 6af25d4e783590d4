export * from './wire';
export * from './url-rules';
export * from './setup-links';
