export * from './wire';
export * from './url-rules';
export * from './sign-in-reasons';
export * from './events';
