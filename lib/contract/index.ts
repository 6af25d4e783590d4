export * from './wire';
export * from './url-rules';
export * from './sessions';
export * from './domains';
export * from './setup-links';
export * from './sign-in-reasons';
export * from './events';
export * from './session-check';
