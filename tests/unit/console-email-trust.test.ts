/**
 * The console side of email trust and identity-provider changes: the "Accept only emails in this organization's
 * verified domains" checkbox as both forms parse it, the saved value shown back, the confirm box of a new IdP,
 * and `emailVerified` kept from Grantex's answer to the member cookie and the test result.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  ssoSessionCallbackResponseSchema,
  ssoSessionSchema,
  ssoCallbackResponseSchema,
  ssoConnectionSchema,
} from '@/lib/contract';
import { normalizeIdentity } from '@/lib/console/member-login/member-session';
import { testResultSchema } from '@/lib/console/member-login/test-result-schema';
import { provisioningFormValues } from '@/lib/console/settings/provisioning-view';
import { provisioningSettings, provisioningShape } from '@/lib/validations/provisioning';
import { buildSamlConnectionSchema } from '@/lib/validations/saml-connection';
import { buildOidcConnectionSchema } from '@/lib/validations/oidc-connection';
import { VERIFIED_DOMAINS_ONLY_SHOWN_FIELD } from '@/lib/validations/connection-fields';

const provisioning = z.object(provisioningShape);
/** What a browser posts for the box: `on` when ticked, nothing when not; the form's marker either way. */
const shown = (ticked: boolean) => ({
  [VERIFIED_DOMAINS_ONLY_SHOWN_FIELD]: '1',
  ...(ticked ? { verifiedDomainsOnly: 'on' } : {}),
});

describe('OIDC form: verifiedDomainsOnly', () => {
  it('ticked → true, unticked (nothing posted but the marker) → false, a form without the box → left alone', () => {
    expect(provisioningSettings(provisioning.parse(shown(true)))).toEqual({ verifiedDomainsOnly: true });
    expect(provisioningSettings(provisioning.parse(shown(false)))).toEqual({ verifiedDomainsOnly: false });
    expect(provisioningSettings(provisioning.parse({}))).toEqual({});
    // Without the marker a stray value changes nothing.
    expect(provisioningSettings(provisioning.parse({ verifiedDomainsOnly: 'on' }))).toEqual({});
  });

  it('goes through the whole connection form schema with the confirm box', () => {
    const schema = buildOidcConnectionSchema({
      devMode: true,
      hasSavedSecret: true,
      savedIssuer: 'http://127.0.0.1:4000',
    });
    const base = {
      name: 'Okta',
      issuerUrl: 'http://127.0.0.1:4000',
      clientId: 'c',
      redirectUri: 'http://localhost:3000/sso/callback',
    };
    const on = schema.parse({ ...base, ...shown(true), confirmNewIdp: 'on' });
    expect(provisioningSettings(on)).toMatchObject({ verifiedDomainsOnly: true });
    expect(on.confirmNewIdp).toBe(true);
    const off = schema.parse({ ...base, ...shown(false) });
    expect(provisioningSettings(off)).toMatchObject({ verifiedDomainsOnly: false });
    expect(off.confirmNewIdp).toBe(false);
  });

  it('shows the saved value back as the box’s state (a Grantex without the field: unticked)', () => {
    const saved = { jitProvisioning: true, groupAttribute: null, groupMappings: {}, defaultScopes: [] };
    expect(provisioningFormValues({ ...saved, verifiedDomainsOnly: true }).verifiedDomainsOnly).toBe('on');
    expect(provisioningFormValues({ ...saved, verifiedDomainsOnly: false }).verifiedDomainsOnly).toBeUndefined();
    expect(provisioningFormValues(saved).verifiedDomainsOnly).toBeUndefined();
    // Round trip: what the form shows, posted again, is what was saved.
    expect(
      provisioningSettings(
        provisioning.parse({ ...shown(false), ...provisioningFormValues({ ...saved, verifiedDomainsOnly: true }) }),
      ),
    ).toMatchObject({
      verifiedDomainsOnly: true,
    });
  });
});

describe('SAML form: verifiedDomainsOnly and the new-IdP confirm box', () => {
  const schema = buildSamlConnectionSchema({ devMode: true, editing: true });
  const base = { name: 'ADFS', idpSource: 'url', idpMetadataUrl: 'http://127.0.0.1:4000/saml/metadata' };
  it('the box is always on the form: ticked → true, absent → false', () => {
    expect(schema.parse({ ...base, verifiedDomainsOnly: 'on' })).toMatchObject({
      verifiedDomainsOnly: true,
      confirmNewIdp: false,
    });
    expect(schema.parse({ ...base, ...shown(false) })).toMatchObject({ verifiedDomainsOnly: false });
    expect(schema.parse({ ...base, confirmNewIdp: 'on' })).toMatchObject({ confirmNewIdp: true });
    expect(schema.safeParse({ ...base, verifiedDomainsOnly: 'yes' }).success).toBe(false);
  });
});

describe('emailVerified from Grantex to the page', () => {
  it('the client’s schemas take it and still parse an API that omits it', () => {
    const session = {
      sessionId: 'ssn_1',
      email: 'a@b.example',
      name: null,
      sub: 's',
      groups: [],
      mappedScopes: [],
      principalId: 'prn_1',
      developerId: 'dev_1',
      expiresAt: '2026-01-01T00:00:00.000Z',
    };
    expect(ssoSessionCallbackResponseSchema.parse({ ...session, emailVerified: false }).emailVerified).toBe(false);
    expect(ssoSessionCallbackResponseSchema.parse(session).emailVerified).toBeUndefined();
    expect(
      ssoCallbackResponseSchema.parse({ developerId: 'd', email: null, name: null, sub: 's' }).emailVerified,
    ).toBeUndefined();
    const listed = {
      id: 'ssn_1',
      connectionId: 'sso_1',
      principalId: 'prn_1',
      email: null,
      name: null,
      idpSubject: 's',
      groups: [],
      mappedScopes: [],
      expiresAt: session.expiresAt,
      createdAt: session.expiresAt,
    };
    expect(ssoSessionSchema.parse({ ...listed, emailVerified: true }).emailVerified).toBe(true);
    expect(ssoSessionSchema.parse(listed).emailVerified).toBeUndefined();
    const connection = {
      id: 'sso_1',
      developerId: 'dev_1',
      name: 'n',
      protocol: 'oidc',
      status: 'active',
      isDefault: true,
      issuerUrl: 'https://i.example',
      clientId: 'c',
      redirectUri: 'https://r.example/cb',
      domains: [],
      jitProvisioning: true,
      groupMappings: {},
      defaultScopes: [],
      createdAt: session.expiresAt,
      updatedAt: session.expiresAt,
    };
    expect(ssoConnectionSchema.parse({ ...connection, verifiedDomainsOnly: true })).toMatchObject({
      verifiedDomainsOnly: true,
    });
    expect(ssoConnectionSchema.parse(connection)).not.toHaveProperty('verifiedDomainsOnly');
  });

  it('the member cookie and the test result keep it; a Grantex that does not say leaves it out', () => {
    const identity = normalizeIdentity({
      developerId: 'dev_1',
      email: 'ceo@victim.example',
      emailVerified: false,
      name: null,
      sub: 's',
    });
    expect(identity.emailVerified).toBe(false);
    expect(normalizeIdentity({ developerId: 'dev_1', email: 'a@b.example', name: null, sub: 's' })).not.toHaveProperty(
      'emailVerified',
    );
    const result = testResultSchema.parse({
      status: 'success',
      developerId: 'dev_1',
      startedAt: 'x',
      finishedAt: 'y',
      identity: { ...identity, session: undefined },
    });
    expect(result.status === 'success' && result.identity.emailVerified).toBe(false);
  });
});

describe('what the pages show', () => {
  it('the identity list has an "Email verified" row only when Grantex says, and the sessions note only for "not verified"', async () => {
    const { createElement } = await import('react');
    const { renderToStaticMarkup } = await import('react-dom/server');
    const { EmailVerifiedNote, IdentityList } = await import('@/components/sso/identity-list');
    const base = { developerId: 'dev_1', email: 'ceo@victim.example', name: null, sub: 's' };
    const unverified = renderToStaticMarkup(
      createElement(IdentityList, { identity: { ...base, emailVerified: false } }),
    );
    expect(unverified).toContain('Email verified');
    expect(unverified).toContain('No (not verified)');
    expect(renderToStaticMarkup(createElement(IdentityList, { identity: { ...base, emailVerified: true } }))).toContain(
      '>Yes<',
    );
    expect(renderToStaticMarkup(createElement(IdentityList, { identity: base }))).not.toContain('Email verified');
    expect(
      renderToStaticMarkup(createElement(EmailVerifiedNote, { email: base.email, emailVerified: false })),
    ).toContain('(not verified)');
    expect(renderToStaticMarkup(createElement(EmailVerifiedNote, { email: base.email, emailVerified: true }))).toBe('');
    expect(renderToStaticMarkup(createElement(EmailVerifiedNote, { email: base.email }))).toBe('');
  });

  it('the audit trail says in words that a save moved a connection to another IdP, and lists only real field names', async () => {
    const { createElement } = await import('react');
    const { renderToStaticMarkup } = await import('react-dom/server');
    const { AuditList } = await import('@/components/sso/audit-list');
    const event = {
      id: 'aud_1',
      developerId: 'dev_1',
      actor: { kind: 'api_key' as const, id: 'key_1', label: null },
      action: 'connection.updated' as const,
      target: { type: 'connection' as const, id: 'sso_1' },
      createdAt: '2026-12-07T00:00:00.000Z',
    };
    const moved = renderToStaticMarkup(
      createElement(AuditList, { events: [{ ...event, changedFields: ['issuerUrl', 'issuerChanged'] }] }),
    );
    expect(moved).toContain('changed: issuerUrl<');
    expect(moved).toContain('new identity provider: members start over');
    expect(moved).not.toContain('issuerChanged');
    const renamed = renderToStaticMarkup(createElement(AuditList, { events: [{ ...event, changedFields: ['name'] }] }));
    expect(renamed).toContain('changed: name<');
    expect(renamed).not.toContain('members start over');
  });
});
