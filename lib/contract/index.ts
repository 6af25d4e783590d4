export * from './wire';
export * from './url-rules';
