/**
 * One structured line per SSO action. Callers pass only identifiers and outcomes: never a
 * secret, code, state, cookie or IdP free text (an attacker controls the latter).
 */
import 'server-only';

type LogValue = string | number | boolean | null | undefined;

export function logSsoEvent(event: string, fields: Record<string, LogValue>): void {
  console.info(JSON.stringify({ at: new Date().toISOString(), scope: 'console.sso', event, ...fields }));
}
