export { GrantexClient, CLIENT_VERSION, DEFAULT_USER_AGENT, type GrantexClientOptions } from './client';
export {
  GrantexError,
  isGrantexError,
  CLIENT_ERROR_CODES,
  type GrantexErrorKind,
  type GrantexErrorInit,
} from './errors';
export { parseFieldErrors, type ConfigField, type FieldErrors } from './field-errors';
