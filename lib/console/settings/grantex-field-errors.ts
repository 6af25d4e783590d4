/**
 * Grantex answers a rejected config with 400 "issuerUrl: <why>; redirectUri: <why>". Those parts
 * belong next to their fields, not in a banner; anything else stays a form-level message.
 */
import { SSO_FIELD_LABELS, type SsoConfigField } from '@/lib/validations/sso-config';

const FIELDS = Object.keys(SSO_FIELD_LABELS) as SsoConfigField[];

export function grantexMessageToFieldErrors(message: string): Partial<Record<SsoConfigField, string>> | null {
  const out: Partial<Record<SsoConfigField, string>> = {};
  for (const part of message.split(';')) {
    const match = /^\s*(issuerUrl|redirectUri|clientId|clientSecret)\s*:\s*(.+?)\s*$/.exec(part);
    if (!match) return null;
    const field = match[1] as SsoConfigField;
    if (!FIELDS.includes(field)) return null;
    out[field] ??= `${SSO_FIELD_LABELS[field]} ${match[2]}`;
  }
  return Object.keys(out).length ? out : null;
}
