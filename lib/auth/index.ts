export { authOptions, apiKeySchema, API_KEY_PROVIDER_ID, sessionCookieName, type AdminSessionUser } from './options';
export { getAdmin, requireAdmin, type Admin } from './session';
export {
  adminAction,
  connectionsAction,
  collectFieldErrors,
  initialFormState,
  type FormState,
  type ActionOutcome,
  type AdminActionOptions,
} from './action';
export { safeRedirectPath, DEFAULT_AFTER_SIGNIN } from './safe-redirect';
export { checkSigninRate, signinRateMessage } from './signin-limit';
export { hasSetupSession, refuseNonAdmin } from './session';
export {
  getConnectionsActor,
  requireConnectionsActor,
  startSetupSession,
  SETUP_LINK_ENDED,
  type ConnectionsActor,
} from './connections-actor';
