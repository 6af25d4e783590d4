/**
 * The console's SAML attribute mapping: the vendor presets (one per vendor of the default-shape fixtures, valid for
 * the API, and reading from each vendor's default assertion what the service's built-in defaults read), the
 * form's parsing and its messages by code, and the session section's minutes.
 */
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_MAPPING_FIELDS, samlAttributeMappingInputSchema } from '@/lib/contract';
import { ATTRIBUTE_MAPPING_TEXT, SESSION_POLICY_TEXT } from '@/lib/console/messages';
import {
  SAML_ATTRIBUTE_PRESET_IDS,
  SAML_ATTRIBUTE_PRESETS,
  attributeNamesText,
} from '@/lib/console/settings/saml-attribute-presets';
import { lastTestAttributes } from '@/lib/console/settings/received-attributes';
import { DEFAULT_ATTRIBUTE_NAMES } from '@/lib/sso-service/saml/settings';
import {
  attributeMappingFormSchema,
  attributeMappingPatch,
  minutesToSeconds,
  secondsToMinutesText,
  sessionPolicyFormSchema,
  splitAttributeNames,
} from '@/lib/validations/connection-policy';
import { VENDOR_PROFILES } from '@/tests/support/vendor-saml';
import type { SignInEvent } from '@/lib/contract';

/** The first value of the first name the attributes carry (first match wins, as the service reads them). */
function firstOf(attributes: Map<string, string[]>, names: readonly string[] | undefined): string | null {
  for (const name of names ?? []) {
    const values = attributes.get(name);
    if (values && values.length > 0) return values[0]!;
  }
  return null;
}

describe('vendor presets', () => {
  it('cover exactly the vendors whose default shapes the SAML suites reproduce', () => {
    expect([...SAML_ATTRIBUTE_PRESET_IDS].sort()).toEqual(Object.keys(VENDOR_PROFILES).sort());
  });

  it.each(SAML_ATTRIBUTE_PRESET_IDS)('%s: valid for the API, never sets the subject', (id) => {
    const preset = SAML_ATTRIBUTE_PRESETS[id];
    expect(preset.fields.subject).toBeUndefined();
    const parsed = samlAttributeMappingInputSchema.parse({ ...preset.fields });
    expect(parsed).toEqual(Object.fromEntries(Object.entries(preset.fields).map(([k, v]) => [k, [...v]])));
    expect(Object.keys(preset.fields).every((f) => (ATTRIBUTE_MAPPING_FIELDS as readonly string[]).includes(f))).toBe(
      true,
    );
  });

  it.each(SAML_ATTRIBUTE_PRESET_IDS)(
    '%s: from the vendor’s default assertion it reads what the built-in defaults read',
    (id) => {
      const profile = VENDOR_PROFILES[id];
      const attributes = new Map(profile.attributes.map((a) => [a.name, a.values]));
      const { fields } = SAML_ATTRIBUTE_PRESETS[id];
      const pairs = [
        [fields.email, DEFAULT_ATTRIBUTE_NAMES.email],
        [fields.givenName, DEFAULT_ATTRIBUTE_NAMES.givenName],
        [fields.familyName, DEFAULT_ATTRIBUTE_NAMES.surname],
      ] as const;
      for (const [preset, defaults] of pairs) {
        const byDefault = firstOf(attributes, defaults);
        // Where the vendor sends the field by default, the preset names the attribute it comes in.
        if (byDefault !== null) expect(firstOf(attributes, preset)).toBe(byDefault);
      }
    },
  );

  it('shows a field’s names separated by commas', () => {
    expect(attributeNamesText(['mail', 'email'])).toBe('mail, email');
    expect(attributeNamesText(undefined)).toBe('');
  });
});

describe('attribute mapping form', () => {
  const base = { connectionId: 'sso_1' };

  it('splits names at commas and new lines, drops blanks and repeats; an empty field clears it', () => {
    expect(splitAttributeNames(' mail ,\n email,, mail ')).toEqual(['mail', 'email']);
    const form = attributeMappingFormSchema.parse({ ...base, email: 'mail, email', subject: '  ', groups: '' });
    expect(attributeMappingPatch(form)).toEqual({
      email: ['mail', 'email'],
      name: null,
      givenName: null,
      familyName: null,
      subject: null,
      groups: null,
    });
  });

  it('refuses what the API refuses, with the message of its code', () => {
    const cases = [
      [{ email: 'a, b, c, d, e, f' }, 'email', ATTRIBUTE_MAPPING_TEXT.errors.too_many],
      [{ name: 'x'.repeat(257) }, 'name', ATTRIBUTE_MAPPING_TEXT.errors.too_long],
      [{ groups: 'ok, evil\u202eman' }, 'groups', ATTRIBUTE_MAPPING_TEXT.errors.unsafe_text],
      [{ subject: 'a\u0007b' }, 'subject', ATTRIBUTE_MAPPING_TEXT.errors.unsafe_text],
    ] as const;
    for (const [fields, field, message] of cases) {
      const parsed = attributeMappingFormSchema.safeParse({ ...base, ...fields });
      expect(parsed.success, field).toBe(false);
      expect(parsed.error?.issues.find((i) => i.path[0] === field)?.message).toBe(message);
    }
  });
});

describe('what the last test sign-in received', () => {
  const event = (over: Partial<SignInEvent>): SignInEvent => ({
    id: 'evt',
    developerId: 'dev',
    connectionId: 'sso_1',
    protocol: 'saml',
    startedBy: 'test',
    outcome: 'success',
    stage: 'complete',
    reason: null,
    idpError: null,
    idpErrorDescription: null,
    email: null,
    sub: null,
    name: null,
    durationMs: 1,
    requestId: 'r',
    trace: {},
    createdAt: '2026-12-07T07:00:00.000Z',
    ...over,
  });

  it('is the newest test whose trace kept attributes; member sign-ins and traces without attributes are skipped', () => {
    const long = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
    const events = [
      event({ startedBy: 'member', trace: { claims: { attributes: { member: ['m'] } } } }),
      event({ trace: { claims: { nameId: 'x' } } }),
      event({
        createdAt: '2026-12-07T06:00:00.000Z',
        trace: { claims: { attributes: { [long]: ['a@example.com'], uid: ['a\u202eb'] } } },
      }),
    ];
    expect(lastTestAttributes(events)).toEqual({
      at: '2026-12-07T06:00:00.000Z',
      attributes: [
        { name: long, values: ['a@example.com'] },
        // Inert for display: no text-direction characters.
        { name: 'uid', values: ['ab'] },
      ],
    });
    expect(lastTestAttributes([events[0]!])).toBeNull();
  });
});

describe('session settings form', () => {
  it('turns whole minutes into seconds; empty clears; out of range or not a number is refused by code', () => {
    expect(minutesToSeconds('', 5, 'session_range')).toEqual({ seconds: null });
    expect(minutesToSeconds(' 15 ', 5, 'session_range')).toEqual({ seconds: 900 });
    expect(minutesToSeconds('4', 5, 'session_range')).toEqual({ problem: 'session_range' });
    expect(minutesToSeconds('43201', 5, 'session_range')).toEqual({ problem: 'session_range' });
    expect(minutesToSeconds('0', 0, 'auth_age_range')).toEqual({ seconds: 0 });
    expect(minutesToSeconds('1.5', 0, 'auth_age_range')).toEqual({ problem: 'not_a_number' });
    expect(secondsToMinutesText(900)).toBe('15');
    expect(secondsToMinutesText(null)).toBe('');
    const refused = sessionPolicyFormSchema.safeParse({ connectionId: 'sso_1', maxSessionMinutes: '2' });
    expect(refused.error?.issues[0]?.message).toBe(SESSION_POLICY_TEXT.errors.session_range);
  });
});
