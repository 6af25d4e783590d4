export { authOptions, apiKeySchema, API_KEY_PROVIDER_ID, sessionCookieName, type AdminSessionUser } from './options';
export { getAdmin, requireAdmin, type Admin } from './session';
export {
  adminAction,
  collectFieldErrors,
  initialFormState,
  type FormState,
  type ActionOutcome,
  type AdminActionOptions,
} from './action';
export { safeRedirectPath, DEFAULT_AFTER_SIGNIN } from './safe-redirect';
export { checkSigninRate, signinRateMessage } from './signin-limit';
