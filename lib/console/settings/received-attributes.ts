/**
 * What the last SAML test sign-in of a connection received: the attribute names and values its sign-in log entry
 * kept (the service's trace keeps the signed assertion's attributes, never the XML or a signature). Shown next to
 * the attribute mapping so the admin maps the names the IdP really sends. Values are the member's data (the
 * admin's own test account, usually); they are shown to the organization's admin only, as the sign-in log is.
 */
import type { SignInEvent } from '@/lib/contract';
import { displayText } from '@/lib/console/utils/display-text';

export interface ReceivedAttribute {
  name: string;
  values: string[];
}

export interface ReceivedAttributes {
  /** When the test sign-in happened (ISO). */
  at: string;
  attributes: ReceivedAttribute[];
}

/** Names and values as the trace holds them (capped by the service), made inert for display. */
function attributesOf(value: unknown): ReceivedAttribute[] | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return Object.entries(value as Record<string, unknown>).map(([name, raw]) => ({
    name: displayText(name, 256),
    values: (Array.isArray(raw) ? raw : [raw])
      .filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v))
      .map((v) => displayText(String(v), 200)),
  }));
}

/**
 * The newest test sign-in (events newest first) whose trace carries SAML attributes, or null. A test that failed
 * before the assertion was read (a bad signature, an expired certificate) recorded none and is skipped.
 */
export function lastTestAttributes(events: readonly SignInEvent[]): ReceivedAttributes | null {
  for (const event of events) {
    if (event.startedBy !== 'test' || event.protocol !== 'saml') continue;
    const attributes = attributesOf(event.trace.claims?.attributes);
    if (attributes) return { at: event.createdAt, attributes };
  }
  return null;
}
